package dev.portcullis.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.catalog.StaticCatalog;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.ToolRef;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.store.JdbcAuditLog;
import dev.portcullis.store.JdbcInvocationStore;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.store.NodeLeases;
import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.Postgres;
import dev.portcullis.testing.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several gateway nodes on one PostgreSQL store: a node settles only the calls of nodes whose lease
 * has lapsed, never a live node's, and several nodes sweeping one dead node's calls at once move
 * each call once.
 */
class NodeLeaseRecoveryTest {
  private static final ToolRef WRITE = new ToolRef("put_thing", "1", "sha256:t", "write", "crm");
  private static final ToolRef READ = new ToolRef("get_thing", "1", "sha256:r", "read", "crm");
  private static final Decision ALLOW =
      new Decision(Effect.ALLOW, List.of("r"), "ok", List.of(), List.of(), "p1");

  private final TestClock clock = new TestClock();
  private final List<PostgresDatabase> open = new ArrayList<>();
  private PostgresDatabase.Settings settings;

  /** One node: its store, ledger, lease and recovery, on the shared database. */
  private record Node(
      PostgresDatabase db,
      JdbcInvocationStore store,
      JdbcLedger ledger,
      AuditEntries entries,
      NodeLeases lease,
      InvocationRecovery recovery) {}

  @BeforeEach
  void database() {
    settings = Postgres.freshDatabase();
  }

  private Node node() {
    PostgresDatabase db = PostgresDatabase.open(settings);
    open.add(db);
    JdbcInvocationStore store = new JdbcInvocationStore(db, Invocations.JSON);
    JdbcLedger ledger = new JdbcLedger(db, Invocations.JSON);
    AuditEntries entries =
        new AuditEntries(clock, "cfg", new StaticCatalog(List.of()), Invocations.JSON);
    return new Node(
        db,
        store,
        ledger,
        entries,
        new NodeLeases(db, NodeKeeper.LEASE),
        new InvocationRecovery(store, ledger, entries));
  }

  /** {@code node} starts call {@code id} on {@code tool}: it is EXECUTING there. */
  private static void executing(Node node, String id, ToolRef tool) throws Exception {
    Invocation inv =
        Invocation.received(
                id,
                "0af7651916cd43dd8448eb211c80319c",
                null,
                null,
                new AgentRef("bot", "acme", null),
                null,
                null,
                "test",
                tool.name(),
                Invocations.JSON.readTree("{}"),
                Map.of(),
                Invocations.T0)
            .withTool(tool)
            .withDecision(ALLOW);
    Invocation after = inv.movedTo(InvocationState.CHECKED).movedTo(InvocationState.EXECUTING);
    node.ledger()
        .write(
            Transition.open(
                inv,
                "d",
                false,
                List.of(InvocationState.CHECKED, InvocationState.EXECUTING),
                null,
                node.entries().transition(after, after.state())));
  }

  private InvocationState state(Node reader, String id) throws Exception {
    return reader.store().find(id).orElseThrow().invocation().state();
  }

  @Test
  void aLiveNodesCallsAreLeftAloneAndADeadNodesAreSettledOnceItsLeaseLapses() throws Exception {
    Node a = node();
    Node b = node();
    a.lease().renew(clock.instant());
    b.lease().renew(clock.instant());
    executing(a, "a-write", WRITE);
    executing(a, "a-read", READ);
    executing(b, "b-write", WRITE);

    clock.advance(Duration.ofSeconds(10)); // both leases still hold
    assertThat(b.recovery().run()).isEmpty();
    assertThat(a.recovery().run()).isEmpty();
    assertThat(state(b, "a-write")).isEqualTo(InvocationState.EXECUTING);

    clock.advance(Duration.ofSeconds(10)); // A stopped renewing 20 s ago; B renews now
    b.lease().renew(clock.instant());
    assertThat(b.recovery().run())
        .extracting(s -> s.invocation().invocationId())
        .containsExactly("a-write");

    assertThat(state(b, "a-write")).isEqualTo(InvocationState.NEEDS_RECONCILIATION);
    assertThat(state(b, "a-read")).as("a read changed nothing").isEqualTo(InvocationState.FAILED);
    assertThat(state(b, "b-write"))
        .as("B's own call, B alive")
        .isEqualTo(InvocationState.EXECUTING);
    assertThat(AuditVerifier.verify(new JdbcAuditLog(b.db(), Invocations.JSON)).intact()).isTrue();
  }

  @Test
  void aNodeThatEndedItsLeaseAtACleanStopHasItsCallsSettledAtOnce() throws Exception {
    Node a = node();
    Node b = node();
    a.lease().renew(clock.instant());
    executing(a, "a-write", WRITE);

    a.lease().end();

    assertThat(b.recovery().run()).hasSize(1);
  }

  @Test
  void aNodeLongDeadIsForgottenAndItsCallsAreStillSettled() throws Exception {
    Node dead = node();
    Node live = node();
    dead.lease().renew(clock.instant());
    executing(dead, "d-write", WRITE);

    clock.advance(Duration.ofHours(2));
    live.lease().renew(clock.instant());

    try (var c = live.db().dataSource().getConnection();
        var rs = c.createStatement().executeQuery("SELECT count(*) FROM gateway_nodes")) {
      rs.next();
      assertThat(rs.getInt(1)).as("only the live node's lease is left").isEqualTo(1);
    }
    assertThat(live.recovery().run())
        .extracting(s -> s.invocation().invocationId())
        .containsExactly("d-write");
  }

  @Test
  void nodesSweepingOneDeadNodeAtOnceMoveEachCallOnce() throws Exception {
    Node dead = node();
    dead.lease().renew(clock.instant());
    for (int i = 0; i < 20; i++) {
      executing(dead, "w-" + i, WRITE);
    }
    clock.advance(Duration.ofMinutes(1));
    List<Node> sweepers = List.of(node(), node(), node());
    List<Future<Integer>> flagged = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(sweepers.size())) {
      for (Node n : sweepers) {
        flagged.add(pool.submit(() -> n.recovery().run().size()));
      }
      int total = 0;
      for (Future<Integer> f : flagged) {
        total += f.get();
      }
      assertThat(total).as("each call flagged by exactly one sweeper").isEqualTo(20);
    }
    JdbcAuditLog log = new JdbcAuditLog(sweepers.getFirst().db(), Invocations.JSON);
    for (int i = 0; i < 20; i++) {
      assertThat(log.records("w-" + i))
          .extracting(r -> r.entry().state())
          .containsExactly("EXECUTING", "NEEDS_RECONCILIATION");
    }
    assertThat(AuditVerifier.verify(log).intact()).isTrue();
  }

  @AfterEach
  void close() {
    open.forEach(PostgresDatabase::close);
  }
}
