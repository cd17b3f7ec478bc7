package dev.portcullis.config;

import dev.portcullis.approval.ApprovalSettings;
import dev.portcullis.catalog.ArgumentLimits;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.identity.AgentSpec;
import dev.portcullis.identity.ApproverSpec;
import dev.portcullis.identity.IssuerSpec;
import dev.portcullis.invocation.Durability;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.ToolFacts;
import dev.portcullis.vault.SecretRef;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Loads the one declarative configuration file: validates every field, compiles schemas and
 * conditions, and either returns a sealed {@link GatewayConfig} or throws a {@link ConfigException}
 * that lists every problem with its line. A bad file never yields a half-working gateway.
 */
public final class ConfigLoader {
  public static final String API_VERSION = "portcullis.dev/v1alpha1";
  static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");
  static final String ID_RULE = "must be lowercase letters, digits and '-' (at most 64)";

  private ConfigLoader() {}

  /** Loads {@code file}, filling {@code ${VAR}} references from {@code environment}. */
  public static GatewayConfig load(Path file, Map<String, String> environment)
      throws ConfigException {
    String text;
    try {
      text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          file,
          List.of(new ConfigException.Problem(0, "", "cannot read the file: " + e.getMessage())));
    }
    List<ConfigException.Problem> early = new ArrayList<>();
    text = Interpolation.apply(text, environment, early);
    if (!early.isEmpty()) {
      throw new ConfigException(file, early);
    }
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    LocatedYaml yaml;
    try {
      yaml = LocatedYaml.parse(text);
    } catch (ConfigException.Problem p) {
      throw new ConfigException(file, List.of(p));
    }
    ConfigReader r = new ConfigReader(yaml, file);
    if (!yaml.root().isObject()) {
      r.problem("", "the file must be a YAML mapping (apiVersion, kind, server, agents, …)");
      throw new ConfigException(file, r.problems());
    }
    r.onlyKeys(
        "",
        Set.of(
            "apiVersion",
            "kind",
            "server",
            "identity",
            "vault",
            "agents",
            "connectors",
            "tools",
            "policies",
            "approvers",
            "approvals",
            "audit",
            "store"));
    r.string("/apiVersion", true)
        .filter(v -> !v.equals(API_VERSION))
        .ifPresent(
            v -> r.problem("/apiVersion", "'" + v + "' is not supported; use " + API_VERSION));
    r.string("/kind", true)
        .filter(v -> !v.equals("Gateway"))
        .ifPresent(v -> r.problem("/kind", "'" + v + "' is not supported; use Gateway"));

    ServerSettings server = server(r);
    Durability durability = durability(r);
    VaultSettings vault = vault(r);
    StoreSettings store = store(r);
    IdentitySection identity = new IdentitySection(r);
    List<IssuerSpec> issuers = identity.issuers();
    List<AgentSpec> agents = identity.agents();
    Map<String, ConnectorDraft> connectors = connectors(r);
    List<CatalogEntry> entries = new ToolSection(r, connectors).readAll();
    List<dev.portcullis.catalog.Reversal> reversals = new ReversalSection(r).read(entries);
    List<Path> policyPaths = policyPaths(r, file);
    List<ConnectorSpec> specs = connectors.values().stream().map(ConnectorDraft::spec).toList();
    upstreamNameClashes(r, entries, specs);
    List<ToolFacts> facts = toolFacts(entries, specs);
    CompiledPolicy policy = new PolicyLoader(facts, agents).loadInto(policyPaths, r.problems());
    ApprovalsSection approvalsSection = new ApprovalsSection(r);
    Set<String> agentKeys = new HashSet<>();
    agents.forEach(a -> agentKeys.addAll(a.keyHashes()));
    Map<String, IssuerSpec> issuersByName = new HashMap<>();
    issuers.forEach(i -> issuersByName.put(i.name(), i));
    Set<String> agentTenants = new HashSet<>();
    agents.forEach(a -> agentTenants.add(a.tenant()));
    List<ApproverSpec> approvers =
        approvalsSection.approvers(agentKeys, issuersByName, agentTenants);
    // A quorum must be reachable in every tenant, by that tenant's approvers. Approvers by role are
    // as
    // many as the identity provider grants the role to: no upper bound.
    int approverCount = agentTenants.isEmpty() ? approvers.size() : Integer.MAX_VALUE;
    String scarcest = null;
    for (String tenant : new TreeSet<>(agentTenants)) {
      List<ApproverSpec> deciding =
          approvers.stream().filter(a -> a.tenants().contains(tenant)).toList();
      int count =
          deciding.stream().anyMatch(a -> a instanceof ApproverSpec.ByRole)
              ? Integer.MAX_VALUE
              : deciding.size();
      if (count < approverCount) {
        approverCount = count;
        scarcest = tenant;
      }
    }
    Set<String> toolNames = new HashSet<>();
    facts.forEach(f -> toolNames.add(f.name()));
    ApprovalSettings approvals =
        approvalsSection.settings(
            approverCount, agentTenants.size() > 1 ? scarcest : null, toolNames);
    List<dev.portcullis.approval.notify.ChannelSpec> notify =
        new NotifySection(r).channels(agentTenants);

    if (!r.problems().isEmpty()) {
      throw new ConfigException(file, r.problems());
    }
    return new GatewayConfig(
        file.toAbsolutePath(),
        hash(bytes, r.imports()),
        server,
        vault,
        issuers,
        agents,
        specs,
        entries,
        policyPaths,
        policy,
        approvers,
        approvals,
        reversals,
        notify,
        durability,
        store);
  }

  /**
   * {@code store}: {@code type: sqlite} (the default: the data directory's file) or {@code type:
   * postgres} with {@code url}, {@code user}, {@code password} (an {@code env:} or {@code file:}
   * reference) and {@code poolSize}.
   */
  static StoreSettings store(ConfigReader r) {
    String p = "/store";
    if (!r.isObject(p, false)) {
      return StoreSettings.EMBEDDED;
    }
    String type = r.string(p + "/type", "sqlite");
    if (type.equals("sqlite")) {
      r.onlyKeys(p, Set.of("type"));
      return StoreSettings.EMBEDDED;
    }
    if (!type.equals("postgres")) {
      r.problem(p + "/type", "'" + type + "' is not one of [sqlite, postgres]");
      return StoreSettings.EMBEDDED;
    }
    r.onlyKeys(p, Set.of("type", "url", "user", "password", "poolSize"));
    String url = r.string(p + "/url", true).orElse(null);
    if (url != null && !url.startsWith("jdbc:postgresql://")) {
      r.problem(
          p + "/url", "must be a PostgreSQL JDBC URL: jdbc:postgresql://HOST[:PORT]/DATABASE");
      url = null;
    }
    if (url != null && url.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
      r.problem(
          p + "/url",
          "must not carry a password (it would be logged and shown); put it in password: env:NAME"
              + " or file:PATH");
      url = null;
    }
    String user = r.string(p + "/user", (String) null);
    Optional<SecretRef> password =
        r.secretRef(p + "/password", false)
            .filter(
                ref -> {
                  if (ref.scheme().equals("vault")) {
                    r.problem(
                        p + "/password",
                        "the store's password cannot be in the vault, which lives in that store;"
                            + " use env:NAME or file:PATH");
                    return false;
                  }
                  return true;
                });
    int poolSize = r.integer(p + "/poolSize", 8, 1, 100);
    if (url == null) {
      return StoreSettings.EMBEDDED;
    }
    return new StoreSettings(
        Optional.of(new StoreSettings.Postgres(url, user, password, poolSize)));
  }

  /** {@code audit.durability}: {@code strict} (the default) or {@code intent}. */
  private static Durability durability(ConfigReader r) {
    if (r.isObject("/audit", false)) {
      r.onlyKeys("/audit", Set.of("durability"));
    }
    String name = r.string("/audit/durability", Durability.STRICT.wireName());
    Durability d = Durability.parse(name);
    if (d == null) {
      r.problem(
          "/audit/durability",
          "'"
              + name
              + "' is not a durability; use strict (an executed call's ending is"
              + " durable before its answer) or intent (the answer goes out once the decision is durable)");
      return Durability.STRICT;
    }
    return d;
  }

  /** {@code policies}: files or directories, relative to the configuration file. */
  private static List<Path> policyPaths(ConfigReader r, Path file) {
    Path base = file.toAbsolutePath().getParent();
    List<String> texts =
        r.at("/policies").isMissingNode() ? List.of() : r.strings("/policies", false);
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      Path p = base.resolve(texts.get(i)).normalize();
      if (!Files.exists(p)) {
        r.problem(
            "/policies/" + i,
            "no policy file or directory '"
                + texts.get(i)
                + "' (paths are relative to the configuration file)");
      } else {
        out.add(p);
      }
    }
    return out;
  }

  /** What policy needs to know of each tool: configured ones and upstream MCP ones. */
  public static List<ToolFacts> toolFacts(
      List<CatalogEntry> entries, List<ConnectorSpec> connectors) {
    List<ToolFacts> out = new ArrayList<>(toolFacts(entries));
    Set<String> names = new HashSet<>();
    out.forEach(f -> names.add(f.name()));
    connectors.forEach(
        c -> {
          if (c instanceof McpConnectorSpec m) {
            m.tools().stream()
                .filter(
                    t ->
                        names.add(
                            t.name())) // a clash is a problem of its own (upstreamNameClashes)
                .forEach(
                    t ->
                        out.add(
                            ToolFacts.argumentsUnknown(
                                t.name(), t.risk().wireName(), t.connector())));
          }
        });
    return out;
  }

  /** An upstream tool is named {@code connector.tool}; a configured tool may not take that name. */
  private static void upstreamNameClashes(
      ConfigReader r, List<CatalogEntry> entries, List<ConnectorSpec> connectors) {
    Set<String> configured = new HashSet<>();
    entries.forEach(e -> configured.add(e.tool().name()));
    for (int i = 0; i < connectors.size(); i++) {
      if (connectors.get(i) instanceof McpConnectorSpec m) {
        m.tools().stream()
            .filter(t -> configured.contains(t.name()))
            .forEach(
                t ->
                    r.problem(
                        toolPointer(r, t.name()),
                        "tool '"
                            + t.name()
                            + "' is defined here and is also upstream tool "
                            + t.upstreamName()
                            + " of connector '"
                            + m.name()
                            + "'; rename one"));
      }
    }
  }

  /**
   * Where the tool named {@code name} is written under {@code tools}, or {@code /tools} if
   * elsewhere.
   */
  private static String toolPointer(ConfigReader r, String name) {
    JsonNode tools = r.at("/tools");
    for (int i = 0; i < tools.size(); i++) {
      if (name.equals(tools.path(i).path("name").asString(""))) {
        return "/tools/" + i + "/name";
      }
    }
    return "/tools";
  }

  /** What policy needs to know of each configured tool. */
  public static List<ToolFacts> toolFacts(List<CatalogEntry> entries) {
    return entries.stream()
        .map(
            e ->
                ToolFacts.fromSchema(
                    e.tool().name(),
                    e.tool().risk().wireName(),
                    e.tool().connector(),
                    e.tool().inputSchema()))
        .toList();
  }

  /** The file's hash; documents it imports join it, so a changed document changes the hash. */
  private static String hash(byte[] bytes, List<ConfigReader.Imported> imports) {
    if (imports.isEmpty()) {
      return sha256(bytes);
    }
    StringBuilder all = new StringBuilder(sha256(bytes));
    imports.forEach(i -> all.append('\n').append(i.path()).append(' ').append(i.sha256()));
    return sha256(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static ServerSettings server(ConfigReader r) {
    String p = "/server";
    boolean present = r.isObject(p, false);
    if (present) {
      r.onlyKeys(
          p,
          Set.of(
              "listen",
              "publicUrl",
              "allowedHosts",
              "allowedOrigins",
              "maxRequestBytes",
              "arguments",
              "mcpSessions"));
    }
    String listen = r.string(p + "/listen", "127.0.0.1:8080");
    String host = "127.0.0.1";
    int port = 8080;
    int colon = listen.lastIndexOf(':');
    try {
      host = listen.substring(0, Math.max(colon, 0));
      port = Integer.parseInt(listen.substring(colon + 1));
      if (colon <= 0 || port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      r.problem(p + "/listen", "'" + listen + "' must be HOST:PORT, such as 127.0.0.1:8080");
    }
    List<String> hosts =
        r.at(p + "/allowedHosts").isMissingNode()
            ? List.of("localhost", "127.0.0.1", "[::1]")
            : r.strings(p + "/allowedHosts", false);
    List<String> origins =
        r.at(p + "/allowedOrigins").isMissingNode()
            ? List.of()
            : r.strings(p + "/allowedOrigins", false);
    int maxRequest = r.integer(p + "/maxRequestBytes", 1024 * 1024, 1024, 64 * 1024 * 1024);
    if (r.isObject(p + "/arguments", false)) {
      r.onlyKeys(p + "/arguments", Set.of("maxBytes", "maxDepth"));
    }
    ArgumentLimits limits =
        new ArgumentLimits(
            r.integer(
                p + "/arguments/maxBytes", ArgumentLimits.DEFAULT.maxBytes(), 16, 16 * 1024 * 1024),
            r.integer(p + "/arguments/maxDepth", ArgumentLimits.DEFAULT.maxDepth(), 1, 128));
    return new ServerSettings(
        host,
        port,
        hosts,
        origins,
        maxRequest,
        limits,
        publicUrl(r, p + "/publicUrl", host, port),
        mcpSessions(r, p + "/mcpSessions"));
  }

  /**
   * {@code server.mcpSessions}: {@code max}, {@code perAgent} (at most {@code max}), {@code
   * idleTimeout}.
   */
  private static ServerSettings.McpSessionLimits mcpSessions(ConfigReader r, String p) {
    var d = ServerSettings.McpSessionLimits.DEFAULT;
    if (r.isObject(p, false)) {
      r.onlyKeys(p, Set.of("max", "perAgent", "idleTimeout"));
    }
    int max = r.integer(p + "/max", d.max(), 1, 1_000_000);
    int perAgent = r.integer(p + "/perAgent", Math.min(d.perAgent(), max), 1, 1_000_000);
    if (perAgent > max) {
      r.problem(p + "/perAgent", "must be at most mcpSessions.max (" + max + ")");
      perAgent = max;
    }
    return new ServerSettings.McpSessionLimits(
        max, perAgent, r.duration(p + "/idleTimeout", d.idleTimeout()));
  }

  /**
   * {@code server.publicUrl}: an absolute http(s) URL without query or fragment; by default {@code
   * http://HOST:PORT}.
   */
  private static java.net.URI publicUrl(ConfigReader r, String p, String host, int port) {
    String text = r.string(p, (String) null);
    if (text == null) {
      String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
      return java.net.URI.create("http://" + h + ":" + port);
    }
    String trimmed = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    try {
      java.net.URI uri = new java.net.URI(trimmed);
      if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        throw new java.net.URISyntaxException(text, "not absolute");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      r.problem(
          p,
          "'"
              + text
              + "' must be an absolute http(s) URL where approvers reach the gateway, such as"
              + " https://portcullis.example.com (no query, fragment or user info)");
      return java.net.URI.create("http://127.0.0.1");
    }
  }

  /** {@code connectors}: each read by the section of its {@code type}. */
  private static Map<String, ConnectorDraft> connectors(ConfigReader r) {
    Map<String, ConnectorDraft> out = new LinkedHashMap<>();
    int n = r.list("/connectors", true);
    for (int i = 0; i < n; i++) {
      String p = "/connectors/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      Optional<String> name = r.matching(p + "/name", true, ID, ID_RULE);
      Optional<ConnectorTypes.Type> type =
          r.string(p + "/type", true)
              .flatMap(
                  t -> {
                    ConnectorTypes.Type found = ConnectorTypes.ALL.get(t);
                    if (found == null) {
                      r.problem(
                          p + "/type",
                          "'"
                              + t
                              + "' is not a connector type; this version has: "
                              + String.join(", ", ConnectorTypes.ALL.keySet()));
                    }
                    return Optional.ofNullable(found);
                  });
      if (type.isEmpty()) {
        continue;
      }
      if (!type.get().bindingKey().equals("http")
          && !r.at(p + "/" + HttpSection.HONOURS_KEYS).isMissingNode()) {
        r.problem(
            p + "/" + HttpSection.HONOURS_KEYS,
            "only an http connector forwards an idempotency key upstream (derived from the"
                + " agent's); this "
                + r.at(p + "/type").asString()
                + " connector sends none for its upstream to deduplicate on, so its writes"
                + " interrupted by a stop always wait for an operator");
      }
      Optional<ConnectorDraft> draft = type.get().reader().read(r, p, name.orElse("?"));
      if (name.isPresent() && name.get().equals(RESERVED_SECRET_SCOPE)) {
        r.problem(
            p + "/name",
            "'"
                + RESERVED_SECRET_SCOPE
                + "' is reserved: it is the vault scope of the approval"
                + " notification channels, and a connector of that name could open their secrets; choose another name");
      } else if (name.isPresent() && out.containsKey(name.get())) {
        r.problem(p + "/name", "connector '" + name.get() + "' is defined twice");
      } else if (name.isPresent() && draft.isPresent()) {
        out.put(name.get(), draft.get());
      }
    }
    return out;
  }

  /** The vault scope of the approval notification channels, which no connector may take. */
  public static final String RESERVED_SECRET_SCOPE = "approvals";

  /** {@code vault}: the embedded vault by default, or a HashiCorp Vault KV v2 engine. */
  private static VaultSettings vault(ConfigReader r) {
    String p = "/vault";
    if (!r.isObject(p, false)) {
      return VaultSettings.EMBEDDED;
    }
    r.onlyKeys(p, Set.of("backend", "hashicorp"));
    String backend = r.string(p + "/backend", "embedded");
    if (backend.equals("embedded")) {
      if (!r.at(p + "/hashicorp").isMissingNode()) {
        r.problem(p + "/hashicorp", "is only read with backend: hashicorp");
      }
      return VaultSettings.EMBEDDED;
    }
    if (!backend.equals("hashicorp")) {
      r.problem(p + "/backend", "'" + backend + "' is not one of [embedded, hashicorp]");
      return VaultSettings.EMBEDDED;
    }
    String h = p + "/hashicorp";
    if (!r.isObject(h, true)) {
      return VaultSettings.EMBEDDED;
    }
    r.onlyKeys(h, Set.of("address", "mount", "token", "namespace"));
    URI address =
        r.string(h + "/address", true)
            .map(u -> HttpSection.baseUri(r, h + "/address", u))
            .orElse(null);
    String mount = r.string(h + "/mount", "secret");
    Optional<SecretRef> token =
        r.secretRef(h + "/token", true)
            .filter(
                ref -> {
                  if (ref.scheme().equals("vault")) {
                    r.problem(
                        h + "/token",
                        "the Vault token cannot itself be in the vault; use env:NAME or file:PATH");
                    return false;
                  }
                  return true;
                });
    String namespace = r.string(h + "/namespace", (String) null);
    if (address == null || token.isEmpty()) {
      return VaultSettings.EMBEDDED;
    }
    return new VaultSettings(
        Optional.of(new VaultSettings.HashiCorp(address, mount, token.get(), namespace)));
  }
}
