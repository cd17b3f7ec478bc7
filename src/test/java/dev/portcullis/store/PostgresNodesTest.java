package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.audit.VerifyReport;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Transition;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.Postgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two gateway nodes (two {@link PostgresDatabase}s, each with its own group commit) on one
 * PostgreSQL database, appending at once: one chain in one order with every transition in it, and a
 * node whose writer connection dies fails only its own group, typed, and writes again on a fresh
 * connection while the other node never notices.
 */
class PostgresNodesTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private PostgresDatabase.Settings settings;
  private PostgresDatabase nodeA;
  private PostgresDatabase nodeB;
  private Ledger ledgerA;
  private Ledger ledgerB;

  @BeforeEach
  void twoNodes() {
    settings = Postgres.freshDatabase();
    nodeA = PostgresDatabase.open(settings);
    nodeB = PostgresDatabase.open(settings);
    ledgerA = new JdbcLedger(nodeA, JSON);
    ledgerB = new JdbcLedger(nodeB, JSON);
  }

  @AfterEach
  void close() {
    nodeA.close();
    nodeB.close();
  }

  private static final AtomicLong CALLS = new AtomicLong();

  /** A new call's first transition: its row in EXECUTING and its record. */
  private static Transition opening(String agent) {
    Invocation call =
        Invocation.received(
            "inv-" + agent + "-" + CALLS.incrementAndGet(),
            "0af7651916cd43dd8448eb211c80319c",
            null,
            null,
            new AgentRef(agent, "acme", null),
            null,
            null,
            "rest",
            "orders_refund",
            Invocations.JSON.readTree("{\"orderId\":\"O-5001\"}"),
            Map.of(),
            Invocations.T0);
    return Transition.open(
        call,
        "digest",
        false,
        List.of(InvocationState.CHECKED, InvocationState.EXECUTING),
        null,
        AuditEntry.builder(
                call.receivedAt(), call.invocationId(), call.traceId(), "EXECUTING", "cfg")
            .tenant(call.tenant())
            .agentId(call.agent().id())
            .channel(call.channel())
            .toolName(call.toolName())
            .arguments("{}")
            .argumentsDigest("digest")
            .decision("allow")
            .build());
  }

  @Test
  void twoNodesAppendingFromManyThreadsLeaveOneGaplessChainHoldingEveryTransition()
      throws Exception {
    int threadsPerNode = 8;
    int each = 100;
    Set<String> written = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> writers = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerNode)) {
      for (Ledger node : List.of(ledgerA, ledgerB)) {
        for (int t = 0; t < threadsPerNode; t++) {
          String agent = "agent-" + writers.size();
          writers.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                      Transition open = opening(agent);
                      node.write(open);
                      written.add(open.facts().invocationId());
                    }
                    return null;
                  }));
        }
      }
      start.countDown();
      for (Future<?> w : writers) {
        w.get(120, TimeUnit.SECONDS);
      }
    }

    int total = 2 * threadsPerNode * each;
    JdbcAuditLog log = new JdbcAuditLog(nodeA, JSON);
    VerifyReport report = AuditVerifier.verify(log);
    assertThat(report.intact()).as(String.valueOf(report.problem())).isTrue();
    assertThat(report.verified()).isEqualTo(total);
    assertThat(longs("SELECT seq FROM audit_log ORDER BY seq"))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    assertThat(texts("SELECT invocation_id FROM audit_log"))
        .hasSize(total)
        .containsExactlyInAnyOrderElementsOf(written);
    assertThat(texts("SELECT invocation_id FROM invocations WHERE state = 'EXECUTING'"))
        .containsExactlyInAnyOrderElementsOf(written);
  }

  @Test
  void aNodeWhoseWriterConnectionIsKilledFailsItsGroupTypedAndWritesAgainWhileTheOtherWritesOn()
      throws Exception {
    ledgerA.write(opening("a"));
    long writerOfA = nodeA.writes().write(PostgresNodesTest::backendPid);

    AtomicBoolean stop = new AtomicBoolean();
    Semaphore writtenByB = new Semaphore(0);
    Set<String> fromB = ConcurrentHashMap.newKeySet();
    Transition lost = opening("a");
    Transition next = opening("a");
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      Future<?> b =
          pool.submit(
              () -> {
                while (!stop.get()) {
                  Transition open = opening("b");
                  ledgerB.write(open);
                  fromB.add(open.facts().invocationId());
                  writtenByB.release();
                }
                return null;
              });
      assertThat(writtenByB.tryAcquire(10, 30, TimeUnit.SECONDS)).as("B writes").isTrue();

      terminate(writerOfA);
      assertThatThrownBy(() -> ledgerA.write(lost))
          .isInstanceOf(InvocationStore.StoreException.class)
          .hasMessageStartingWith("cannot write ");
      ledgerA.write(next);
      assertThat(nodeA.writes().write(PostgresNodesTest::backendPid))
          .as("a fresh connection")
          .isNotEqualTo(writerOfA);

      assertThat(writtenByB.tryAcquire(10, 30, TimeUnit.SECONDS)).as("B writes on").isTrue();
      stop.set(true);
      b.get(30, TimeUnit.SECONDS);
    }

    JdbcAuditLog log = new JdbcAuditLog(nodeB, JSON);
    VerifyReport report = AuditVerifier.verify(log);
    assertThat(report.intact()).as(String.valueOf(report.problem())).isTrue();
    assertThat(report.verified()).isEqualTo(2 + fromB.size());
    assertThat(log.records(lost.facts().invocationId())).isEmpty();
    assertThat(log.records(next.facts().invocationId())).hasSize(1);
    assertThat(texts("SELECT invocation_id FROM audit_log")).containsAll(fromB);
  }

  private static long backendPid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Ends backend {@code pid} as an operator (or a failover) would, and waits until it is gone. */
  private void terminate(long pid) throws SQLException {
    try (Connection c = Postgres.superuser(settings);
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?::int, 30000)")) {
      ps.setLong(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getBoolean(1)).as("backend " + pid + " terminated").isTrue();
      }
    }
  }

  private List<Long> longs(String sql) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (Connection c = nodeA.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  private List<String> texts(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = nodeA.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
