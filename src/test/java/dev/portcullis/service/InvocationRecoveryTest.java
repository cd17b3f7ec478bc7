package dev.portcullis.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.catalog.StaticCatalog;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.ToolRef;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.pipeline.LedgerStage;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.Stage;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcAuditLog;
import dev.portcullis.store.JdbcInvocationStore;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.store.LedgerCheck;
import dev.portcullis.testing.Invocations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a restart does with the calls a killed gateway left half-way, and how the state stage fails
 * closed.
 */
class InvocationRecoveryTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-23T11:00:00Z"), ZoneOffset.UTC);
  private static final ToolRef TOOL = new ToolRef("put_thing", "1", "sha256:t", "write", "crm");
  private static final ToolRef READ = new ToolRef("get_thing", "1", "sha256:r", "read", "crm");
  private static final Decision ALLOW =
      new Decision(Effect.ALLOW, List.of("r"), "ok", List.of(), List.of(), "p1");

  @TempDir Path dir;
  private EmbeddedDatabase db;
  private JdbcInvocationStore store;
  private JdbcAuditLog audit;
  private JdbcLedger ledger;
  private AuditEntries entries;
  private InvocationRecovery recovery;

  @BeforeEach
  void open() {
    db = EmbeddedDatabase.open(dir);
    store = new JdbcInvocationStore(db, Invocations.JSON);
    audit = new JdbcAuditLog(db, Invocations.JSON);
    ledger = new JdbcLedger(db, Invocations.JSON);
    entries = new AuditEntries(CLOCK, "cfg", new StaticCatalog(List.of()), Invocations.JSON);
    recovery = new InvocationRecovery(store, ledger, entries);
  }

  @AfterEach
  void close() {
    db.close();
  }

  private Invocation begin(String id, InvocationState... path) throws Exception {
    return begin(id, TOOL, null, path);
  }

  private Invocation begin(String id, ToolRef tool, String key, InvocationState... path)
      throws Exception {
    Invocation inv =
        Invocation.received(
            id,
            "0af7651916cd43dd8448eb211c80319c",
            null,
            key,
            new AgentRef("bot", "acme", null),
            null,
            null,
            "test",
            tool.name(),
            Invocations.JSON.readTree("{}"),
            Map.of(),
            Invocations.T0);
    Invocation now = inv.withTool(tool).withDecision(ALLOW);
    boolean claim = key != null;
    if (path.length == 0) { // only a gateway from before the ledger wrote a call merely received
      ledger.write(
          Transition.open(
              now,
              "d",
              claim,
              List.of(InvocationState.CHECKED),
              null,
              entries.transition(now.movedTo(InvocationState.CHECKED), InvocationState.CHECKED)));
      try (Connection c = db.dataSource().getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE invocations SET state = 'RECEIVED' WHERE invocation_id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      return now;
    }
    Invocation after = now;
    for (InvocationState s : path) {
      after = after.movedTo(s);
    }
    ledger.write(
        Transition.open(
            now, "d", claim, List.of(path), null, entries.transition(after, after.state())));
    return after;
  }

  @Test
  void movesExecutingCallsToReconciliationFailsTheOnesThatNeverRanAndLeavesParkedOnes()
      throws Exception {
    begin("executing", InvocationState.CHECKED, InvocationState.EXECUTING);
    begin("received");
    begin("checked", InvocationState.CHECKED);
    begin("parked", InvocationState.CHECKED, InvocationState.AWAITING_APPROVAL);
    begin("done", InvocationState.CHECKED, InvocationState.EXECUTING, InvocationState.COMPLETED);

    long before = audit.head().orElseThrow().seq();

    List<StoredInvocation> reconcile = recovery.run();

    assertThat(reconcile).extracting(StoredInvocation::invocationId).containsExactly("executing");
    assertThat(state("executing")).isEqualTo(InvocationState.NEEDS_RECONCILIATION);
    assertThat(store.find("executing").orElseThrow().ending().kind()).isEqualTo("interrupted");
    assertThat(state("received")).isEqualTo(InvocationState.FAILED);
    assertThat(state("checked")).isEqualTo(InvocationState.FAILED);
    assertThat(store.find("checked").orElseThrow().outcome())
        .isInstanceOfSatisfying(
            Outcome.Failed.class,
            f -> assertThat(f.detail()).isEqualTo(InvocationRecovery.NEVER_RAN_DETAIL));
    assertThat(state("parked")).isEqualTo(InvocationState.AWAITING_APPROVAL);
    assertThat(state("done")).isEqualTo(InvocationState.COMPLETED);
    List<AuditRecord> records = new ArrayList<>();
    audit.scan(
        r -> {
          if (r.seq() > before) {
            records.add(r);
          }
        });
    assertThat(records)
        .extracting(r -> r.entry().invocationId() + " " + r.entry().state())
        .containsExactly("executing NEEDS_RECONCILIATION", "received FAILED", "checked FAILED");
    assertThat(records.getFirst().entry().errorKind()).isEqualTo("interrupted");
    assertThat(recovery.run()).as("a second start finds nothing to do").isEmpty();
  }

  @Test
  void aReadLeftExecutingEndsFailedWithoutAnOperatorAndFreesItsKey() throws Exception {
    begin("reading", READ, "key-r", InvocationState.CHECKED, InvocationState.EXECUTING);

    assertThat(recovery.run()).as("nothing for an operator").isEmpty();

    assertThat(state("reading")).isEqualTo(InvocationState.FAILED);
    assertThat(store.find("reading").orElseThrow().outcome())
        .isInstanceOfSatisfying(
            Outcome.Failed.class,
            f -> assertThat(f.detail()).isEqualTo(InvocationRecovery.READ_DETAIL));
    assertThat(store.keyHolder("acme", "bot", "key-r")).as("a retry with the key runs").isEmpty();
    assertThat(new LedgerCheck(db).disagreements(10)).isEmpty();
  }

  @Test
  void aCallThatNeverRanFreesItsKeySoARetryRunsInsteadOfReplayingTheFailure() throws Exception {
    begin("checked", TOOL, "key-c", InvocationState.CHECKED);
    begin("writing", TOOL, "key-w", InvocationState.CHECKED, InvocationState.EXECUTING);

    recovery.run();

    assertThat(store.keyHolder("acme", "bot", "key-c")).isEmpty();
    assertThat(store.keyHolder("acme", "bot", "key-w"))
        .as("a write whose effect is unknown keeps its key")
        .hasValueSatisfying(
            h -> assertThat(h.state()).isEqualTo(InvocationState.NEEDS_RECONCILIATION));
  }

  private InvocationState state(String id) throws Exception {
    return store.find(id).orElseThrow().state();
  }

  @Test
  void aKeyedCallWhoseKeyCannotBeCheckedFailsClosedBeforeAnyStageRuns() {
    InvocationStore broken =
        new InvocationStore() {
          @Override
          public Optional<StoredInvocation> keyHolder(
              String tenant, String agentId, String idempotencyKey) throws StoreException {
            throw new StoreException("disk full");
          }

          @Override
          public Optional<StoredInvocation> find(String invocationId) throws StoreException {
            throw new StoreException("disk full");
          }

          @Override
          public List<StoredInvocation> inState(InvocationState state) throws StoreException {
            throw new StoreException("disk full");
          }
        };
    AtomicBoolean reached = new AtomicBoolean();
    Stage next =
        (inv, chain) -> {
          reached.set(true);
          return new Outcome.Completed(inv, Invocations.JSON.createObjectNode());
        };
    Invocation keyed =
        Invocation.received(
            "inv-k",
            "0af7651916cd43dd8448eb211c80319c",
            null,
            "key-1",
            new AgentRef("bot", "acme", null),
            null,
            null,
            "test",
            "get_thing",
            Invocations.JSON.readTree("{}"),
            Map.of(),
            Invocations.T0);

    Outcome outcome =
        new Pipeline(
                List.of(
                    new LedgerStage(
                        ledger, broken, entries, Invocations.JSON, LedgerStage.Parked.NONE),
                    next))
            .run(keyed);

    assertThat(reached).isFalse();
    assertThat(outcome)
        .isInstanceOfSatisfying(
            Outcome.Failed.class,
            f -> assertThat(f.kind()).isEqualTo(FailureKind.STORE_UNAVAILABLE));
  }
}
