package dev.portcullis.cli;

import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.catalog.LiveCatalog;
import dev.portcullis.catalog.Reversals;
import dev.portcullis.catalog.ToolPins;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.HttpConnectorSpec;
import dev.portcullis.config.MailConnectorSpec;
import dev.portcullis.config.McpConnectorSpec;
import dev.portcullis.config.PolicyLoader;
import dev.portcullis.config.PolicyReloader;
import dev.portcullis.config.PolicySharing;
import dev.portcullis.config.ServerSettings;
import dev.portcullis.config.SlackConnectorSpec;
import dev.portcullis.config.SqlConnectorSpec;
import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorRegistry;
import dev.portcullis.connector.chat.SlackConnector;
import dev.portcullis.connector.http.HttpConnector;
import dev.portcullis.connector.mail.MailConnector;
import dev.portcullis.connector.mcp.McpConnector;
import dev.portcullis.connector.mcp.McpTransportSpec;
import dev.portcullis.connector.mcp.McpUpstream;
import dev.portcullis.connector.sql.ReadOnlyDataSource;
import dev.portcullis.connector.sql.SqlConnector;
import dev.portcullis.edge.EdgeSettings;
import dev.portcullis.edge.Gateway;
import dev.portcullis.edge.GatewayServer;
import dev.portcullis.edge.McpSessions;
import dev.portcullis.identity.Approvers;
import dev.portcullis.identity.Identities;
import dev.portcullis.identity.TokenVerifier;
import dev.portcullis.invocation.BeforeStateStore;
import dev.portcullis.invocation.Durability;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.NodeSignals;
import dev.portcullis.invocation.UpstreamKeys;
import dev.portcullis.pipeline.ApprovalStage;
import dev.portcullis.pipeline.ArgumentShape;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.pipeline.BeforeStateCapture;
import dev.portcullis.pipeline.BeforeStateStage;
import dev.portcullis.pipeline.CatalogStage;
import dev.portcullis.pipeline.CommitStage;
import dev.portcullis.pipeline.DeferredEndings;
import dev.portcullis.pipeline.ExecuteStage;
import dev.portcullis.pipeline.FilterStage;
import dev.portcullis.pipeline.LedgerStage;
import dev.portcullis.pipeline.LimitsStage;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.PolicyStage;
import dev.portcullis.pipeline.ToolDirectory;
import dev.portcullis.pipeline.ValidateStage;
import dev.portcullis.policy.SwappablePolicy;
import dev.portcullis.service.ApprovalDenials;
import dev.portcullis.service.ApprovalEdits;
import dev.portcullis.service.ApprovalExpiry;
import dev.portcullis.service.ApprovalFinisher;
import dev.portcullis.service.ApprovalLookup;
import dev.portcullis.service.ApprovalQueries;
import dev.portcullis.service.ApprovalResumption;
import dev.portcullis.service.ApprovalSettlement;
import dev.portcullis.service.ApprovalSignals;
import dev.portcullis.service.ApprovalVoting;
import dev.portcullis.service.Approvals;
import dev.portcullis.service.InvocationAdmin;
import dev.portcullis.service.InvocationRecovery;
import dev.portcullis.service.NodeKeeper;
import dev.portcullis.service.Notifications;
import dev.portcullis.service.ParkedCancellations;
import dev.portcullis.service.ParkedNotices;
import dev.portcullis.service.RecoveryResends;
import dev.portcullis.service.ResumedRoad;
import dev.portcullis.service.Reverts;
import dev.portcullis.service.SignalRouter;
import dev.portcullis.service.StoredCallCheck;
import dev.portcullis.service.UpstreamTools;
import dev.portcullis.service.notify.Channels;
import dev.portcullis.service.notify.SecretLookup;
import dev.portcullis.store.Database;
import dev.portcullis.store.InstallationKeys;
import dev.portcullis.store.JdbcApprovalStore;
import dev.portcullis.store.JdbcAuditLog;
import dev.portcullis.store.JdbcBeforeStateStore;
import dev.portcullis.store.JdbcInvocationStore;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.store.JdbcPolicyBundles;
import dev.portcullis.store.JdbcSecretStore;
import dev.portcullis.store.JdbcSessionStore;
import dev.portcullis.store.JdbcToolPins;
import dev.portcullis.store.NodeLeases;
import dev.portcullis.vault.HashiCorpKv;
import dev.portcullis.vault.SecretBackend;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretSources;
import dev.portcullis.vault.SecretUse;
import dev.portcullis.vault.Vault;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place where the house is wired: configuration in, a running gateway out. Explicit
 * constructor calls, no scanning, no reflection.
 */
public final class Assembly implements AutoCloseable {
  /** The scope of vault secrets that notification channels may use. */
  static final String NOTIFY_SCOPE = ConfigLoader.RESERVED_SECRET_SCOPE;

  /** The installation key upstream idempotency keys are derived under. */
  static final String UPSTREAM_KEYS = "upstream-idempotency-keys";

  static final String MCP_SESSION_KEY = "mcp-session-ids";

  /** The installation key that signs MCP task ids (the tasks extension). */
  static final String MCP_TASK_KEY = "mcp-task-ids";

  private final DataDirectory data;
  private final Database database;
  private final ConnectorRegistry connectors;
  private final AuditLog auditLog;
  private final Gateway gateway;
  private final GatewayConfig config;
  private final PolicyReloader policyReloader;
  private final UpstreamTools upstreamTools;
  private final LiveCatalog catalog;
  private final ToolPins pins;
  private final SecretResolver secrets;
  private final Notifications notifications;
  private final DeferredEndings endings;
  private final ApprovalExpiry approvalExpiry;
  private final ApprovalFinisher approvalFinisher;

  /** This node's lease and sweep on a shared store; null on the embedded one. */
  private final NodeKeeper keeper;

  /** The policy shared with the other nodes, and their signals; null on the embedded store. */
  private final PolicySharing sharing;

  private final NodeSignals.Subscription listening;

  private Assembly(
      DataDirectory data,
      Database database,
      ConnectorRegistry connectors,
      AuditLog auditLog,
      Gateway gateway,
      GatewayConfig config,
      PolicyReloader policyReloader,
      UpstreamTools upstreamTools,
      LiveCatalog catalog,
      ToolPins pins,
      SecretResolver secrets,
      Notifications notifications,
      DeferredEndings endings,
      ApprovalExpiry approvalExpiry,
      ApprovalFinisher approvalFinisher,
      NodeKeeper keeper,
      PolicySharing sharing,
      NodeSignals.Subscription listening) {
    this.keeper = keeper;
    this.sharing = sharing;
    this.listening = listening;
    if (keeper != null) {
      keeper.start();
    }
    this.approvalExpiry = approvalExpiry;
    this.approvalFinisher = approvalFinisher;
    this.notifications = notifications;
    this.endings = endings;
    this.catalog = catalog;
    this.pins = pins;
    this.secrets = secrets;
    this.policyReloader = policyReloader;
    this.upstreamTools = upstreamTools;
    this.data = data;
    this.database = database;
    this.connectors = connectors;
    this.auditLog = auditLog;
    this.gateway = gateway;
    this.config = config;
  }

  /** Locks the data directory, opens the store and builds the pipeline for {@code config}. */
  public static Assembly open(
      GatewayConfig config, Path dataDirectory, Map<String, String> env, Clock clock) {
    return open(config, OpenedStore.open(dataDirectory, env, config.store()), env, clock);
  }

  /**
   * Builds the pipeline for {@code config} on {@code store}, which the assembly then owns (and
   * closes, if building fails).
   */
  static Assembly open(
      GatewayConfig config, OpenedStore store, Map<String, String> env, Clock clock) {
    OpenedStore named = store.opening(config.store(), env);
    try {
      return build(config, named, env, clock);
    } catch (RuntimeException e) {
      named.close();
      throw e;
    }
  }

  private static Assembly build(
      GatewayConfig config, OpenedStore store, Map<String, String> env, Clock clock) {
    var masterKey = store.masterKey();
    DataDirectory data = store.data();
    Database database = store.database();
    JsonMapper json = JsonMapper.builder().build();
    SecretResolver secrets = secrets(config, env, data.path(), database, masterKey, clock);
    LiveCatalog catalog = new LiveCatalog(config.tools());
    SwappablePolicy policy = new SwappablePolicy(config.policy());
    UpstreamKeys upstreamKeys =
        new UpstreamKeys(
            new InstallationKeys(database.dataSource(), clock)
                .getOrCreate(UPSTREAM_KEYS, UpstreamKeys::newInstallationKey));
    ConnectorRegistry connectors =
        new ConnectorRegistry(
            config.connectors().stream()
                .map(
                    spec ->
                        switch (spec) {
                          case HttpConnectorSpec h ->
                              connector(h, secrets, json, clock, upstreamKeys);
                          case SqlConnectorSpec q -> sqlConnector(q, secrets, json);
                          case McpConnectorSpec m ->
                              mcpConnector(
                                  m, config.source().toAbsolutePath().getParent(), secrets, json);
                          case SlackConnectorSpec k ->
                              new SlackConnector(
                                  k.name(),
                                  k.baseUri(),
                                  k.token(),
                                  k.channels(),
                                  k.operations(),
                                  secrets,
                                  k.timeout(),
                                  json);
                          case MailConnectorSpec ml ->
                              new MailConnector(
                                  ml.name(),
                                  ml.server(),
                                  ml.from(),
                                  ml.allowedRecipientDomains(),
                                  ml.maxRecipients(),
                                  ml.operations(),
                                  secrets,
                                  json,
                                  clock);
                        })
                .toList());
    ToolPins pins = new JdbcToolPins(database.dataSource(), json, database.dialect());
    UpstreamTools upstreamTools =
        new UpstreamTools(
            catalog,
            pins,
            connectors.all().stream()
                .filter(McpConnector.class::isInstance)
                .map(McpConnector.class::cast)
                .toList(),
            config.upstreamTools(),
            database.node(),
            clock);
    try {
      upstreamTools.reloadPins();
    } catch (ToolPins.PinStoreException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    AuditLog audit = new JdbcAuditLog(database, json);
    JdbcLedger ledger = new JdbcLedger(database, json);
    AuditEntries entries = new AuditEntries(clock, config.hash(), catalog, json);
    InvocationStore invocations = new JdbcInvocationStore(database, json);
    Reversals reversals = new Reversals(config.reversals());
    BeforeStateStore beforeStates = new JdbcBeforeStateStore(database.dataSource(), json);
    InvocationRecovery recovery =
        new InvocationRecovery(
            invocations,
            ledger,
            entries,
            new RecoveryResends(
                catalog,
                connectors,
                honouringKeys(config),
                reversals,
                beforeStates,
                ledger,
                entries));
    // On a shared store this node takes its lease first: the others then leave its calls alone,
    // and it settles only the calls of nodes whose lease lapsed.
    NodeKeeper keeper =
        database.node() == null
            ? null
            : new NodeKeeper(
                new NodeLeases(database, NodeKeeper.LEASE, policy::version), recovery, clock);
    recover(keeper, recovery);
    ApprovalStore approvalStore = new JdbcApprovalStore(ledger);
    Notifications notifications =
        new Notifications(
            Channels.of(config.notifyChannels(), notifySecrets(secrets), json, clock),
            config.server().publicUrl(),
            ledger,
            entries,
            json);
    DeferredEndings endings = new DeferredEndings(ledger, Duration.ofSeconds(10));
    LedgerStage ledgerStage =
        new LedgerStage(
            ledger,
            invocations,
            entries,
            json,
            new ParkedNotices(approvalStore, notifications),
            config.durability() == Durability.INTENT ? endings : null);
    ValidateStage validate = new ValidateStage(catalog, config.server().arguments(), policy);
    FilterStage filter = new FilterStage(catalog);
    CommitStage commit = new CommitStage(ledger, entries, json);
    BeforeStateStage before =
        new BeforeStateStage(
            new BeforeStateCapture(
                catalog, connectors, reversals, beforeStates, ledger, entries, json, clock));
    ExecuteStage execute = new ExecuteStage(catalog, connectors);
    Pipeline pipeline =
        Pipeline.standard(
            ledgerStage,
            new CatalogStage(catalog),
            validate,
            new PolicyStage(policy),
            new LimitsStage(),
            new ApprovalStage(approvalStore, entries, clock, config.approvals(), json),
            filter,
            commit,
            before,
            execute);
    ApprovalSignals signals = new ApprovalSignals(database.signals());
    ApprovalLookup lookup = new ApprovalLookup(approvalStore, invocations);
    ApprovalSettlement settlement =
        new ApprovalSettlement(approvalStore, ledger, lookup, entries, clock);
    ResumedRoad road = new ResumedRoad(validate, policy, filter, before, execute);
    StoredCallCheck storedCallCheck = new StoredCallCheck(audit, entries, settlement, json);
    ApprovalExpiry expiry = new ApprovalExpiry(approvalStore, lookup, settlement, signals, clock);
    ApprovalResumption resumption =
        new ApprovalResumption(
            approvalStore, invocations, ledger, entries, lookup, signals, road, clock, json);
    ApprovalDenials denials = new ApprovalDenials(lookup, expiry, settlement, signals);
    ParkedCancellations cancellations =
        new ParkedCancellations(approvalStore, invocations, lookup, expiry, settlement, signals);
    Approvals approvals =
        new Approvals(
            new ApprovalQueries(approvalStore, invocations, lookup, clock),
            new ApprovalVoting(
                approvalStore,
                lookup,
                expiry,
                storedCallCheck,
                new ApprovalEdits(approvalStore, lookup, settlement, entries, signals, road, clock),
                resumption,
                entries,
                clock,
                json),
            denials,
            cancellations,
            signals);
    ApprovalFinisher finisher =
        new ApprovalFinisher(
            approvalStore,
            invocations,
            lookup,
            storedCallCheck,
            resumption,
            denials,
            expiry,
            cancellations,
            clock);
    Identities identities =
        new Identities(
            config.agents(), config.issuers(), new TokenVerifier(config.issuers(), clock));
    Gateway gateway =
        new Gateway(
            identities,
            new ToolDirectory(catalog, policy),
            pipeline,
            invocations,
            clock,
            json,
            approvals,
            new Approvers(config.approvers(), identities),
            new InvocationAdmin(
                invocations,
                beforeStates,
                ledger,
                entries,
                new Reverts(pipeline, reversals, beforeStates, clock)),
            new ArgumentShape(config.server().arguments()));
    PolicyReloader reloader =
        new PolicyReloader(PolicyLoader.of(config), config.policyPaths(), policy);
    // On a shared store the policy in force is the nodes' newest published bundle, and the nodes
    // signal each other what changed; polling covers lost signals.
    PolicySharing sharing = null;
    NodeSignals.Subscription listening = null;
    if (database.node() != null) {
      sharing =
          new PolicySharing(
              new JdbcPolicyBundles(database, json),
              PolicyLoader.of(config),
              policy,
              database.node(),
              clock);
      reloader.onLoaded(sharing);
      sharing.join(reloader.files());
      listening =
          database.signals().listen(new SignalRouter(sharing::follow, upstreamTools, signals));
      sharing.start();
    }
    return new Assembly(
        data,
        database,
        connectors,
        audit,
        gateway,
        config,
        reloader,
        upstreamTools,
        catalog,
        pins,
        secrets,
        notifications,
        endings,
        expiry,
        finisher,
        keeper,
        sharing,
        listening);
  }

  /**
   * Where notification channels' secret references resolve: as a connector's do, for the use {@code
   * approvals/CHANNEL} (a vault secret scoped {@code approvals} or {@code approvals/CHANNEL}).
   */
  static SecretLookup notifySecrets(SecretResolver secrets) {
    return (channel, ref) -> {
      try {
        return secrets.resolve(SecretRef.parse(ref), SecretUse.tool(NOTIFY_SCOPE, channel));
      } catch (SecretResolver.SecretUnavailableException e) {
        throw new SecretLookup.Unavailable(e.getMessage());
      }
    };
  }

  /**
   * Settles the calls a killed gateway left half-way (see InvocationRecovery) before any edge
   * opens.
   */
  private static void recover(NodeKeeper keeper, InvocationRecovery recovery) {
    try {
      if (keeper != null) {
        keeper.join();
      }
      recovery.run();
    } catch (InvocationStore.StoreException e) {
      throw new IllegalStateException(
          "cannot settle the calls interrupted by the last stop: " + e.getMessage(), e);
    }
  }

  /** The connectors whose configuration declares that their upstream honours idempotency keys. */
  private static java.util.Set<String> honouringKeys(GatewayConfig config) {
    return config.connectors().stream()
        .filter(c -> c instanceof HttpConnectorSpec h && h.upstreamHonoursIdempotencyKeys())
        .map(c -> c.name())
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  private static Connector connector(
      HttpConnectorSpec spec,
      SecretResolver secrets,
      JsonMapper json,
      Clock clock,
      UpstreamKeys upstreamKeys) {
    return new HttpConnector(
        spec.name(),
        spec.baseUri(),
        spec.auth(),
        spec.operations(),
        secrets,
        spec.connectTimeout(),
        json,
        clock,
        upstreamKeys);
  }

  /**
   * Where connectors' secret references resolve: env:, file:, and vault: in the configured vault.
   */
  static SecretResolver secrets(
      GatewayConfig config,
      Map<String, String> env,
      Path dataDirectory,
      Database database,
      java.util.Optional<dev.portcullis.vault.EnvelopeCipher> masterKey,
      Clock clock) {
    SecretBackend vault =
        config
            .vault()
            .hashiCorp()
            .<SecretBackend>map(
                h ->
                    new HashiCorpKv(
                        h.address(),
                        h.mount(),
                        h.token(),
                        h.namespace(),
                        new SecretSources(env, dataDirectory),
                        clock))
            .orElseGet(() -> embeddedVault(database, masterKey, clock));
    return new SecretSources(env, dataDirectory, java.util.Optional.of(vault));
  }

  /**
   * The embedded vault; with the master key, first binds the scopes of versions sealed before V11.
   */
  private static Vault embeddedVault(
      Database database,
      java.util.Optional<dev.portcullis.vault.EnvelopeCipher> masterKey,
      Clock clock) {
    Vault vault = new Vault(new JdbcSecretStore(database.dataSource()), masterKey, clock);
    if (masterKey.isPresent()) {
      try {
        int n = vault.resealUnbound();
        if (n > 0) {
          org.slf4j.LoggerFactory.getLogger(Assembly.class)
              .info(
                  "vault: re-sealed {} secret version(s) stored before scopes were sealed, binding their scopes",
                  n);
        }
      } catch (dev.portcullis.vault.SecretStore.VaultException | Vault.VaultRefusal e) {
        // the versions concerned are refused at their next use, with the same reason
        org.slf4j.LoggerFactory.getLogger(Assembly.class)
            .warn("vault: cannot re-seal: {}", e.getMessage());
      }
    }
    return vault;
  }

  /**
   * The client of one upstream MCP server, its stdio working directory resolved against the config
   * file's.
   */
  static McpUpstream upstream(
      McpConnectorSpec spec, Path configDirectory, SecretResolver secrets, JsonMapper json) {
    McpTransportSpec transport =
        switch (spec.transport()) {
          case McpTransportSpec.Stdio s -> s.resolvedAgainst(configDirectory);
          case McpTransportSpec.Http h -> h;
        };
    return new McpUpstream(
        spec.name(), transport, secrets, spec.timeout(), json, Version.current(), spec.limits());
  }

  private static Connector mcpConnector(
      McpConnectorSpec spec, Path configDirectory, SecretResolver secrets, JsonMapper json) {
    Map<String, String> names = new java.util.LinkedHashMap<>();
    spec.tools().forEach(t -> names.put(t.name(), t.upstreamName()));
    return new McpConnector(upstream(spec, configDirectory, secrets, json), names, json);
  }

  private static Connector sqlConnector(
      SqlConnectorSpec spec, SecretResolver secrets, JsonMapper json) {
    ReadOnlyDataSource db =
        new ReadOnlyDataSource(
            spec.name(), spec.jdbcUrl(), spec.username(), spec.password(), secrets, spec.timeout());
    return new SqlConnector(
        spec.name(),
        db,
        spec.allowlist(),
        spec.operations(),
        spec.maxRows(),
        spec.timeout(),
        spec.poolSize(),
        json);
  }

  /** Starts the HTTP edges; {@code port} overrides the configured one when not null (0 = any). */
  public GatewayServer serve(Integer port) {
    ServerSettings s = config.server();
    EdgeSettings settings =
        new EdgeSettings(
            s.host(),
            port == null ? s.port() : port,
            s.allowedHosts(),
            s.allowedOrigins(),
            s.maxRequestBytes(),
            Version.current(),
            config.approvals().mcpWait(),
            new McpSessions.Limits(
                s.mcpSessions().max(), s.mcpSessions().perAgent(), s.mcpSessions().idleTimeout()));
    // On a shared store, MCP sessions live in it under the installation's key, so any node
    // accepts them; on the embedded store one process serves them all, and keeps them in memory
    // (no store read on each call).
    McpSessions sessions =
        database.node() == null
            ? McpSessions.inMemory(gateway.clock(), settings.sessions())
            : new McpSessions(
                gateway.clock(),
                settings.sessions(),
                new JdbcSessionStore(database.dataSource()),
                new InstallationKeys(database.dataSource(), gateway.clock())
                    .getOrCreate(MCP_SESSION_KEY, McpSessions::newKey));
    // MCP task ids are signed with a key kept in the store, embedded or shared: a task stays
    // good across a restart, and on every node.
    byte[] taskKey =
        new InstallationKeys(database.dataSource(), gateway.clock())
            .getOrCreate(MCP_TASK_KEY, GatewayServer::newTaskKey);
    return GatewayServer.start(gateway, settings, sessions, taskKey);
  }

  /** The configuration it was built for. */
  GatewayConfig config() {
    return config;
  }

  /**
   * How often the tool approvals are read: every second on a shared store (other nodes' approvals
   * and quarantines, when their signal is lost), every 2 s on the embedded one ({@code tools
   * approve} run beside the gateway).
   */
  public Duration pinPoll() {
    return sharing == null ? Duration.ofSeconds(2) : Duration.ofSeconds(1);
  }

  /** The shared policy's follower on a shared store (tests drive it); empty on the embedded one. */
  public java.util.Optional<PolicySharing> policySharing() {
    return java.util.Optional.ofNullable(sharing);
  }

  /** Reloads the policy files when they change; {@code serve} starts it, tests drive it. */
  public PolicyReloader policyReloader() {
    return policyReloader;
  }

  /**
   * Keeps upstream MCP tools in line with approvals and the upstreams' descriptors; {@code serve}
   * starts its schedule, tests drive it.
   */
  public UpstreamTools upstreamTools() {
    return upstreamTools;
  }

  /** The operators' approvals of upstream tool descriptors. */
  public ToolPins toolPins() {
    return pins;
  }

  /** The client of one configured upstream MCP server, with this gateway's secrets. */
  McpUpstream upstream(McpConnectorSpec spec) {
    return upstream(
        spec, config.source().toAbsolutePath().getParent(), secrets, JsonMapper.builder().build());
  }

  /** The catalog in force: configured tools and the upstream tools their approvals allow. */
  public LiveCatalog catalog() {
    return catalog;
  }

  public Gateway gateway() {
    return gateway;
  }

  /** The approval requests and what approvers do with them; {@code serve} sweeps expired ones. */
  public Approvals approvals() {
    return gateway.approvals();
  }

  /** The approval sweeper: expires pending requests past their deadline ({@code serve}'s timer). */
  public ApprovalExpiry approvalExpiry() {
    return approvalExpiry;
  }

  /** Finishes parked calls whose request was decided but whose road never ran. */
  public ApprovalFinisher approvalFinisher() {
    return approvalFinisher;
  }

  /** How many transactions the ledger has committed since start (each one fsync). */
  public long ledgerCommits() {
    return database.writes().commits();
  }

  public AuditLog auditLog() {
    return auditLog;
  }

  /** Where the state is kept, for people: the SQLite file, or the PostgreSQL URL. */
  public String storeLocation() {
    return database.location();
  }

  /**
   * This node's name in a shared store (its lease, and the calls it runs, carry it); null on the
   * embedded store, which one node owns.
   */
  public String node() {
    return database.node();
  }

  public Path dataDirectory() {
    return data.path();
  }

  @Override
  public void close() {
    if (listening != null) {
      listening.close();
    }
    if (sharing != null) {
      sharing.close();
    }
    if (keeper != null) {
      keeper.close();
    }
    notifications.close();
    endings.close();
    policyReloader.close();
    upstreamTools.close();
    connectors.close();
    database.close();
    data.close();
  }
}
