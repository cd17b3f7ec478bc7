package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.StaticCatalog;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.HttpConnectorSpec;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.connector.http.HttpConnector;
import dev.portcullis.edge.GatewayServer;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.ArgumentsEdit;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.ToolRef;
import dev.portcullis.invocation.Transition;
import dev.portcullis.invocation.UpstreamKeys;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.sample.acme.AcmeServer;
import dev.portcullis.service.RecoveryResends;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.InstallationKeys;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Interrupted;
import dev.portcullis.testing.LogCapture;
import dev.portcullis.vault.SecretSources;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A write a stopped gateway left EXECUTING, on a connector that declares its upstream honours
 * idempotency keys, is re-sent once at the next start, under the same derived key, through the real
 * connector (vault credential, result filter), and recorded with the upstream's real outcome; every
 * other one waits for an operator, and none is ever sent a third time. The upstream is the real
 * Acme sample, whose ticket endpoint deduplicates on {@code Idempotency-Key}. The stop is simulated
 * as {@code CrashRecoveryTest} shows a SIGKILL leaves it: the call's row and record EXECUTING, and
 * (in some tests) its request already executed upstream.
 */
class ResendOnRecoveryTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Decision ALLOW =
      new Decision(Effect.ALLOW, List.of("support-writes"), "ok", List.of(), List.of(), "p1");
  private static final String TICKET =
      "{\"customerId\":\"C-1001\",\"subject\":\"Parcel lost\",\"body\":\"Please help with"
          + " the parcel\",\"priority\":\"normal\"}";

  private static final String TICKET_SCHEMA =
      "{type: object, properties: {customerId: {type: string}, subject: {type: string},"
          + " body: {type: string}, priority: {type: string}},"
          + " required: [customerId, subject, body, priority]}";

  @TempDir Path dir;
  private Path data;
  private AcmeServer acme;
  private Map<String, String> env;
  private GatewayConfig config;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    data = dir.resolve("data");
    GatewayFixture.writeAcmeToken(data);
    acme = AcmeServer.start("127.0.0.1", 0, GatewayFixture.ACME_TOKEN);
    env = Map.of("ACME_URL", acme.baseUri() + "/api");
    config = ConfigLoader.load(writeConfig(), env);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    acme.close();
  }

  @Test
  void aWriteWhoseFirstSendReachedTheUpstreamIsResentUnderTheSameKeyAndCompletesWithTheOneEffect()
      throws Exception {
    int tickets = acme.ticketCount();
    Invocation call = executing("tickets_create", "ticket-1", TICKET);
    JsonNode first = sendAsTheStoppedGatewayDid(call);
    assertThat(acme.ticketCount()).as("the first send took effect").isEqualTo(tickets + 1);

    GatewayServer server;
    String log;
    try (LogCapture logs = LogCapture.start()) {
      server = restart();
      log = logs.text();
    }

    assertThat(acme.idempotencyKeys())
        .as("the same derived key, sent twice")
        .hasSize(2)
        .allMatch(k -> k.startsWith(UpstreamKeys.PREFIX))
        .containsOnly(acme.idempotencyKeys().getFirst());
    assertThat(acme.ticketCount()).as("one effect").isEqualTo(tickets + 1);
    JsonNode stored = invocation(server, call.invocationId());
    assertThat(stored.path("state").asString()).isEqualTo("completed");
    assertThat(stored.at("/result/id").asString())
        .as("the first send's ticket, answered again")
        .isEqualTo(first.path("id").asString());
    assertThat(stored.path("result").has("body")).as("the tool's result filter applied").isFalse();
    assertThat(records(call.invocationId()))
        .extracting(r -> r.entry().state() + " " + r.entry().reasons())
        .containsExactly(
            "EXECUTING [support-writes]",
            "NEEDS_RECONCILIATION [support-writes, " + RecoveryResends.RESENT + "]",
            "COMPLETED [support-writes, " + RecoveryResends.RESENT + "]");
    assertThat(log)
        .contains(
            "invocation " + call.invocationId(),
            "re-sent once under the same key and is now COMPLETED");
    assertNoSecretIn(log, call);
    assertThat(auditVerify()).contains("audit chain intact");
  }

  @Test
  void aWriteThatNeverReachedTheUpstreamIsSentOnceOnRecoveryAndTheAgentsRetryGetsItsResult()
      throws Exception {
    int tickets = acme.ticketCount();
    Invocation call = executing("tickets_create", "ticket-2", TICKET);

    GatewayServer server = restart();
    HttpResponse<String> retry =
        post(
            server,
            "/v1/tools/tickets_create:invoke",
            "{\"arguments\":" + TICKET + "}",
            "Idempotency-Key",
            "ticket-2");

    assertThat(acme.idempotencyKeys()).hasSize(1);
    assertThat(acme.ticketCount()).isEqualTo(tickets + 1);
    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
    assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
    assertThat(JSON.readTree(retry.body()).path("invocationId").asString())
        .isEqualTo(call.invocationId());
    assertThat(JSON.readTree(retry.body()).path("result"))
        .isEqualTo(invocation(server, call.invocationId()).path("result"));
    assertThat(acme.idempotencyKeys()).as("the retry was answered by the gateway").hasSize(1);
  }

  @Test
  void aSecondStartAfterAResendSendsNothing() throws Exception {
    Invocation call = executing("tickets_create", "ticket-3", TICKET);
    restart();
    closeAll();

    GatewayServer server = restart();

    assertThat(acme.idempotencyKeys()).hasSize(1);
    assertThat(invocation(server, call.invocationId()).path("state").asString())
        .isEqualTo("completed");
  }

  @Test
  void aResendTheUpstreamRefusesAsARequestEndsFailedWithTheUpstreamsError() throws Exception {
    Invocation call = executing("tickets_create", "ticket-4", TICKET.replace("C-1001", "C-9999"));

    GatewayServer server = restart();

    JsonNode stored = invocation(server, call.invocationId());
    assertThat(stored.path("state").asString()).isEqualTo("failed");
    assertThat(stored.toString()).contains("answered 404");
    assertThat(records(call.invocationId()).getLast().entry().reasons())
        .contains(RecoveryResends.RESENT);
    assertThat(auditVerify()).contains("audit chain intact");
  }

  @ParameterizedTest(name = "upstream answers {0}")
  @ValueSource(ints = {503, 409, 429})
  void aResendWhoseAnswerDoesNotSettleItWaitsForAnOperatorAndIsNotSentOnTheNextStart(int status)
      throws Exception {
    Invocation call = executing("acme_answer", "answer-" + status, "{\"status\":" + status + "}");
    String log;
    try (LogCapture logs = LogCapture.start()) {
      restart();
      log = logs.text();
    }
    closeAll();

    GatewayServer server = restart();

    assertThat(acme.requestLog()).as("sent once, on the first start only").hasSize(1);
    assertThat(invocation(server, call.invocationId()).path("state").asString())
        .isEqualTo("needs-reconciliation");
    AuditRecord last = records(call.invocationId()).getLast();
    assertThat(last.entry().state()).isEqualTo("NEEDS_RECONCILIATION");
    assertThat(last.entry().reasons()).contains(RecoveryResends.RESENT);
    assertThat(last.entry().reasons())
        .anyMatch(r -> r.startsWith(RecoveryResends.UNSETTLED + "upstream_"));
    assertThat(log)
        .contains(
            "invocation " + call.invocationId(),
            "was re-sent once on recovery, but the answer",
            "will not be re-executed");
    assertNoSecretIn(log, call);
    assertThat(auditVerify()).contains("audit chain intact");
  }

  @Test
  void aResendCarriesTheArgumentsAnApproverEditedNotTheAgents() throws Exception {
    int tickets = acme.ticketCount();
    JsonNode asked = JSON.readTree(TICKET);
    JsonNode edited = JSON.readTree(TICKET.replace("Parcel lost", "Parcel lost, edited"));
    Invocation call =
        Invocation.received(
                UUID.randomUUID().toString(),
                "0af7651916cd43dd8448eb211c80319c",
                "req-1",
                "ticket-6",
                new AgentRef("support-assistant", "acme", null),
                null,
                null,
                "rest",
                "tickets_create",
                asked,
                Map.of(),
                Instant.now())
            .withTool(ref("tickets_create"))
            .withDecision(ALLOW);
    Invocation parked =
        call.movedTo(InvocationState.CHECKED).movedTo(InvocationState.AWAITING_APPROVAL);
    Invocation approved = parked.withArguments(edited);
    try (EmbeddedDatabase db = EmbeddedDatabase.open(data)) {
      AuditEntries entries =
          new AuditEntries(Clock.systemUTC(), "cfg", new StaticCatalog(List.of()), JSON);
      JdbcLedger ledger = new JdbcLedger(db, JSON);
      ledger.write(
          Transition.open(
              call,
              AuditEntries.digest(JSON, asked),
              true,
              List.of(InvocationState.CHECKED, InvocationState.AWAITING_APPROVAL),
              null,
              entries.transition(parked, InvocationState.AWAITING_APPROVAL)));
      ledger.write(
          Transition.edit(
              parked,
              new ArgumentsEdit(
                  edited, AuditEntries.digest(JSON, edited), "ops-olivia", Instant.now()),
              entries.transition(approved, InvocationState.AWAITING_APPROVAL)));
      ledger.write(
          Transition.move(
              approved,
              InvocationState.AWAITING_APPROVAL,
              List.of(InvocationState.EXECUTING),
              null,
              entries.transition(
                  approved.movedTo(InvocationState.EXECUTING), InvocationState.EXECUTING)));
    }

    GatewayServer server = restart();

    assertThat(acme.ticketCount()).isEqualTo(tickets + 1);
    JsonNode stored = invocation(server, call.invocationId());
    assertThat(stored.path("state").asString()).isEqualTo("completed");
    assertThat(stored.at("/result/subject").asString()).isEqualTo("Parcel lost, edited");
  }

  @Test
  void aWriteOnAConnectorThatDoesNotDeclareItWaitsForAnOperatorAndIsNotSent() throws Exception {
    Invocation call = executing("tickets_create_undeclared", "ticket-5", TICKET);
    String log;
    try (LogCapture logs = LogCapture.start()) {
      restart();
      log = logs.text();
    }

    assertThat(acme.requestLog()).isEmpty();
    assertThat(records(call.invocationId()).getLast().entry().state())
        .isEqualTo("NEEDS_RECONCILIATION");
    assertThat(log)
        .contains("not re-sent: connector acme does not declare upstreamHonoursIdempotencyKeys");
  }

  @Test
  void aWriteWithoutAnIdempotencyKeyWaitsForAnOperatorEvenOnADeclaringConnector() throws Exception {
    Invocation call = executing("tickets_create", null, TICKET);

    restart();

    assertThat(acme.requestLog()).isEmpty();
    assertThat(records(call.invocationId()).getLast().entry().state())
        .isEqualTo("NEEDS_RECONCILIATION");
  }

  /** Records {@code tool} called by support-assistant as a stopped gateway leaves it: EXECUTING. */
  private Invocation executing(String tool, String key, String argumentsJson) {
    return Interrupted.executing(
        data, "support-assistant", key, tool, argumentsJson, ref(tool), ALLOW);
  }

  /** {@code tool} as the configuration resolves it. */
  private ToolRef ref(String tool) {
    return config.tools().stream()
        .map(CatalogEntry::tool)
        .filter(t -> t.name().equals(tool))
        .findFirst()
        .orElseThrow()
        .ref();
  }

  /**
   * Sends {@code call} as the gateway that stopped had: its connector, with this installation's
   * upstream key.
   */
  private JsonNode sendAsTheStoppedGatewayDid(Invocation call) {
    HttpConnectorSpec spec =
        config.connectors().stream()
            .filter(c -> c.name().equals(call.tool().connector()))
            .map(HttpConnectorSpec.class::cast)
            .findFirst()
            .orElseThrow();
    try (EmbeddedDatabase db = EmbeddedDatabase.open(data);
        HttpConnector connector =
            new HttpConnector(
                spec.name(),
                spec.baseUri(),
                spec.auth(),
                spec.operations(),
                new SecretSources(env, data),
                spec.connectTimeout(),
                JSON,
                Clock.systemUTC(),
                new UpstreamKeys(
                    new InstallationKeys(db.dataSource(), Clock.systemUTC())
                        .getOrCreate(Assembly.UPSTREAM_KEYS, UpstreamKeys::newInstallationKey)))) {
      return ((ConnectorResult.Success) connector.invoke(call)).value();
    }
  }

  /** Opens a gateway on the data directory (recovery runs first) and serves its edges. */
  private GatewayServer restart() {
    Assembly assembly = Assembly.open(config, data, env, Clock.systemUTC());
    open.add(assembly);
    GatewayServer server = assembly.serve(0);
    open.add(server);
    return server;
  }

  private void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    open.clear();
  }

  private JsonNode invocation(GatewayServer server, String id) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/invocations/" + id))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + GatewayFixture.SUPPORT_KEY)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static HttpResponse<String> post(
      GatewayServer server, String path, String body, String... headers) throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + GatewayFixture.SUPPORT_KEY)
                .header("Content-Type", "application/json")
                .headers(headers)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private List<AuditRecord> records(String id) throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.open(data)) {
      return new dev.portcullis.store.JdbcAuditLog(db, JSON).records(id);
    }
  }

  private String auditVerify() throws Exception {
    closeAll();
    CliRun verify = CliRun.of("audit", "verify", "--data", data.toString());
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    return verify.out();
  }

  /** No key, derived key, credential or argument value in {@code log}. */
  private void assertNoSecretIn(String log, Invocation call) {
    assertThat(log).doesNotContain(GatewayFixture.ACME_TOKEN, GatewayFixture.SUPPORT_KEY);
    assertThat(log).doesNotContain(UpstreamKeys.PREFIX);
    acme.idempotencyKeys().forEach(k -> assertThat(log).doesNotContain(k));
    if (call.idempotencyKey() != null) {
      assertThat(log).doesNotContain("\"" + call.idempotencyKey() + "\"", call.idempotencyKey());
    }
    assertThat(log).doesNotContain("Parcel lost", "Please help");
  }

  private Path writeConfig() throws Exception {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(
        dir.resolve("policies/support.yaml"),
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: PolicySet
        rules:
          - id: support-writes
            effect: permit
            target:
              agents: [support-assistant]
              tools: [tickets_create, tickets_create_undeclared, acme_answer]
        """,
        StandardCharsets.UTF_8);
    Path file = dir.resolve("portcullis.yaml");
    Files.writeString(
        file,
        """
        apiVersion: portcullis.dev/v1alpha1
        kind: Gateway
        agents:
          - id: support-assistant
            tenant: acme
            keys: [sha256:cfc5abe5ab89535cafe1ded4d765d9d3a2e8f2d62682b8bea011bd51d96abef9]
        connectors:
          - name: acme-tickets
            type: http
            baseUrl: ${ACME_URL}
            auth: {type: bearer, secret: "file:secrets/acme-api-token"}
            timeout: 10s
            upstreamHonoursIdempotencyKeys: true
          - name: acme
            type: http
            baseUrl: ${ACME_URL}
            auth: {type: bearer, secret: "file:secrets/acme-api-token"}
            timeout: 10s
        tools:
          - name: tickets_create
            description: Opens a support ticket; Acme files one ticket per Idempotency-Key.
            risk: write
            connector: acme-tickets
            http: {method: POST, path: /tickets}
            result: {fields: [/id, /customerId, /subject, /status]}
            inputSchema: %1$s
          - name: tickets_create_undeclared
            description: The same endpoint behind a connector that declares nothing.
            risk: write
            connector: acme
            http: {method: POST, path: /tickets}
            inputSchema: %1$s
          - name: acme_answer
            description: A write whose upstream answers with the status asked for.
            risk: write
            connector: acme-tickets
            http: {method: GET, path: /fail, query: [status]}
            inputSchema:
              type: object
              properties:
                status: {type: integer}
              required: [status]
        policies: [policies]
        """
            .formatted(TICKET_SCHEMA),
        StandardCharsets.UTF_8);
    return file;
  }
}
