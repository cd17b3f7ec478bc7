package dev.portcullis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.catalog.StaticCatalog;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorRegistry;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.ApprovalStage;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.pipeline.BeforeStateStage;
import dev.portcullis.pipeline.CatalogStage;
import dev.portcullis.pipeline.CommitStage;
import dev.portcullis.pipeline.ExecuteStage;
import dev.portcullis.pipeline.FilterStage;
import dev.portcullis.pipeline.LedgerStage;
import dev.portcullis.pipeline.LimitsStage;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.PolicyStage;
import dev.portcullis.pipeline.ValidateStage;
import dev.portcullis.policy.SwappablePolicy;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcApprovalStore;
import dev.portcullis.store.JdbcAuditLog;
import dev.portcullis.store.JdbcInvocationStore;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Invocations;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tries to break the invariants of ARCHITECTURE.md that this stage of the product holds, with the
 * real pipeline and the real SQLite audit log; only the connector is our own probe.
 */
class InvariantsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;
  private EmbeddedDatabase db;
  private GatewayConfig config;
  private JdbcInvocationStore invocations;

  @BeforeEach
  void open() throws Exception {
    db = EmbeddedDatabase.open(dir);
    config = ConfigLoader.load(Path.of("src/test/resources/config/minimal.yaml"), Map.of());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private Pipeline pipeline(Ledger ledger, Connector connector) {
    StaticCatalog catalog = new StaticCatalog(config.tools());
    AuditEntries entries = new AuditEntries(Clock.systemUTC(), config.hash(), catalog, JSON);
    invocations = new JdbcInvocationStore(db, JSON);
    SwappablePolicy policy = new SwappablePolicy(config.policy());
    return Pipeline.standard(
        new LedgerStage(ledger, invocations, entries, JSON, LedgerStage.Parked.NONE),
        new CatalogStage(catalog),
        new ValidateStage(catalog, config.server().arguments(), policy),
        new PolicyStage(policy),
        new LimitsStage(),
        new ApprovalStage(
            new JdbcApprovalStore(sqliteLedger()),
            entries,
            Clock.systemUTC(),
            new dev.portcullis.approval.ApprovalSettings(java.time.Duration.ofHours(1)),
            JSON),
        new FilterStage(catalog),
        new CommitStage(ledger, entries, JSON),
        BeforeStateStage.NONE,
        new ExecuteStage(catalog, new ConnectorRegistry(List.of(connector))));
  }

  private JdbcLedger sqliteLedger() {
    return new JdbcLedger(db, JSON);
  }

  /** The same call under another id: the invocation store keeps one row per id. */
  private static Invocation renamed(Invocation inv, String id) {
    return new Invocation(
        id,
        inv.traceId(),
        inv.requestId(),
        inv.idempotencyKey(),
        inv.agent(),
        inv.user(),
        inv.sessionId(),
        inv.channel(),
        inv.toolName(),
        inv.tool(),
        inv.arguments(),
        inv.policyContext(),
        inv.receivedAt(),
        inv.state(),
        inv.decision(),
        inv.credential());
  }

  private JdbcAuditLog sqliteLog() {
    return new JdbcAuditLog(db, JSON);
  }

  private static Connector probe(Consumer<Invocation> atCallTime, AtomicInteger calls) {
    return new Connector() {
      @Override
      public String name() {
        return "crm";
      }

      @Override
      public ConnectorResult invoke(Invocation invocation) {
        calls.incrementAndGet();
        atCallTime.accept(invocation);
        return new ConnectorResult.Success(JSON.createObjectNode().put("ok", true));
      }
    };
  }

  @Test
  void decisionIsDurablyRecordedBeforeTheConnectorIsCalled() throws Exception {
    JdbcAuditLog log = sqliteLog();
    List<AuditRecord> visibleAtCallTime = new ArrayList<>();
    List<InvocationState> storedAtCallTime = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    Connector connector =
        probe(
            inv -> {
              try {
                log.scan(visibleAtCallTime::add);
                storedAtCallTime.add(invocations.find(inv.invocationId()).orElseThrow().state());
              } catch (AuditLog.AuditUnavailableException | InvocationStore.StoreException e) {
                throw new IllegalStateException(e);
              }
            },
            calls);

    Outcome outcome =
        pipeline(sqliteLedger(), connector)
            .run(Invocations.call("bot", "get_thing", "{\"id\":\"7\"}"));

    assertThat(outcome).isInstanceOf(Outcome.Completed.class);
    assertThat(calls).hasValue(1);
    assertThat(storedAtCallTime).containsExactly(InvocationState.EXECUTING);
    assertThat(visibleAtCallTime)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.entry().state()).isEqualTo("EXECUTING");
              assertThat(r.entry().decision()).isEqualTo("allow");
              assertThat(r.entry().reasons()).containsExactly("bot-reads");
              assertThat(r.entry().invocationId()).isEqualTo("inv-1");
            });
  }

  @Test
  void everyRefusalIsRecordedAndNothingRuns() throws Exception {
    JdbcAuditLog log = sqliteLog();
    AtomicInteger calls = new AtomicInteger();
    Pipeline p = pipeline(sqliteLedger(), probe(inv -> {}, calls));

    p.run(renamed(Invocations.call("bot", "no_such_tool", "{}"), "inv-1"));
    p.run(renamed(Invocations.call("bot", "get_thing", "{\"id\":7}"), "inv-2"));
    p.run(renamed(Invocations.call("bot", "get_thing", "{\"id\":\"7\",\"admin\":true}"), "inv-3"));
    p.run(renamed(Invocations.call("intruder", "get_thing", "{\"id\":\"7\"}"), "inv-4"));

    List<AuditRecord> records = new ArrayList<>();
    log.scan(records::add);
    assertThat(calls).hasValue(0);
    assertThat(records)
        .extracting(r -> r.entry().state())
        .containsExactly("DENIED", "DENIED", "DENIED", "DENIED");
    assertThat(records)
        .extracting(r -> r.entry().errorKind())
        .containsExactly("unknown_tool", "invalid_arguments", "invalid_arguments", "policy");
  }

  @Test
  void failsClosedWithoutCallingTheConnectorWhenTheAuditLogCannotBeWritten() {
    AtomicInteger calls = new AtomicInteger();
    Ledger broken = new FailingLedger(sqliteLedger(), 0);

    Outcome outcome =
        pipeline(broken, probe(inv -> {}, calls))
            .run(Invocations.call("bot", "get_thing", "{\"id\":\"7\"}"));

    assertThat(calls).hasValue(0);
    assertThat(outcome)
        .isInstanceOfSatisfying(
            Outcome.Failed.class,
            f -> assertThat(f.kind()).isEqualTo(FailureKind.AUDIT_UNAVAILABLE));
  }

  @Test
  void anExecutedCallWhoseEndingCannotBeRecordedIsNotReportedFailedAndCannotBeRepeatedBlindly()
      throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Ledger failsSecond =
        new FailingLedger(
            sqliteLedger(), 1); // the EXECUTING transition is written, the ending is not
    Pipeline pipeline = pipeline(failsSecond, probe(inv -> {}, calls));

    Outcome outcome = pipeline.run(Invocations.call("bot", "get_thing", "{\"id\":\"7\"}"));

    assertThat(calls).hasValue(1);
    assertThat(outcome)
        .as("the effect happened: the agent is told so, not that the call failed")
        .isInstanceOf(Outcome.Completed.class);
    assertThat(invocations.find(outcome.invocation().invocationId()).orElseThrow().state())
        .as("stays EXECUTING, with its record, for recovery to find")
        .isEqualTo(InvocationState.EXECUTING);

    Outcome retry =
        pipeline.run(renamed(Invocations.call("bot", "get_thing", "{\"id\":\"7\"}"), "inv-retry"));

    assertThat(calls)
        .as("while the log cannot be written, a retry without a key runs nothing")
        .hasValue(1);
    assertThat(retry)
        .isInstanceOfSatisfying(
            Outcome.Failed.class,
            f -> assertThat(f.kind()).isEqualTo(FailureKind.AUDIT_UNAVAILABLE));
  }

  @Test
  void theUpstreamCredentialNeverReachesAResponseAnAuditRecordOrALogLine(@TempDir Path data)
      throws Exception {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<String> responses = new ArrayList<>();
    List<AuditRecord> records = new ArrayList<>();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (GatewayFixture gateway = GatewayFixture.start(data)) {
      String key = GatewayFixture.SUPPORT_KEY;
      responses.add(
          gateway
              .invoke("crm_get_customer", key, "{\"arguments\":{\"customerId\":\"C-1001\"}}")
              .body());
      responses.add(
          gateway
              .invoke("crm_get_customer", key, "{\"arguments\":{\"customerId\":\"C-4040\"}}")
              .body());
      responses.add(
          gateway
              .invoke(
                  "orders_refund",
                  key,
                  "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":1,\"reason\":\"x\"}}")
              .body());
      responses.add(
          gateway
              .invoke(
                  "crm_get_customer", "pcl_wrong", "{\"arguments\":{\"customerId\":\"C-1001\"}}")
              .body());
      gateway.assembly().auditLog().scan(records::add);
    } finally {
      System.setErr(originalErr);
    }
    String token = GatewayFixture.ACME_TOKEN;

    assertThat(responses).hasSize(4).allSatisfy(r -> assertThat(r).doesNotContain(token));
    assertThat(records)
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.entry().toString()).doesNotContain(token));
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .doesNotContain(token)
        .doesNotContain(GatewayFixture.SUPPORT_KEY)
        .doesNotContain("pcl_wrong");
  }

  /**
   * A real ledger behind our own port, failing from the {@code failFrom}-th write on (0 = every
   * write).
   */
  private static final class FailingLedger implements Ledger {
    private final Ledger real;
    private final int failFrom;
    private int writes;

    FailingLedger(Ledger real, int failFrom) {
      this.real = real;
      this.failFrom = failFrom;
    }

    @Override
    public Written write(Transition t) throws InvocationStore.StoreException {
      if (writes++ >= failFrom) {
        throw new InvocationStore.StoreException("disk full");
      }
      return real.write(t);
    }
  }
}
