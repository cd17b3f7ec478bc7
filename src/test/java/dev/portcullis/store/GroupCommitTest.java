package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditLogContract;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.invocation.Transition;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes that queue while another group commits share the next transaction, and a write that fails
 * in that group is undone alone: the others still commit.
 */
class GroupCommitTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path dir;
  private Database db;
  private GroupCommit writes;

  /** The database under test: SQLite here, PostgreSQL in the subclass. */
  protected Database openDatabase() {
    return EmbeddedDatabase.open(dir);
  }

  @BeforeEach
  void open() throws SQLException {
    db = openDatabase();
    writes = db.writes();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (k TEXT PRIMARY KEY)");
    }
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void writesQueuedBehindABusyGroupCommitTogetherAndAFailingOneIsUndoneAlone() throws Exception {
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      Future<?> first =
          pool.submit(
              () ->
                  writes.write(
                      c -> {
                        firstRunning.countDown();
                        await(release);
                        return insert(c, "first");
                      }));
      assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();

      List<Future<Integer>> queued = new ArrayList<>();
      for (String k : List.of("a", "b", "first", "c")) {
        queued.add(
            pool.submit(
                () ->
                    writes.write(
                        c -> {
                          insert(c, k + "-pending");
                          return insert(c, k);
                        })));
      }
      // The four wait behind the lock holder; once it commits they form the next group, together.
      waitUntilQueued(4);
      release.countDown();
      first.get(10, TimeUnit.SECONDS);

      assertThat(queued.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(queued.get(1).get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(queued.get(3).get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThatThrownBy(() -> queued.get(2).get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SQLException.class)
          .cause()
          .satisfies(e -> assertThat(Dialect.uniqueViolation((SQLException) e)).isTrue());
    }
    // The failed write's first statement was undone with it; everything else is there.
    assertThat(keys())
        .containsExactlyInAnyOrder("first", "a-pending", "a", "b-pending", "b", "c-pending", "c");
  }

  @Test
  void aWriteUndoneAloneAfterItAppendedTakesItsRecordBackAndTheChainStaysWhole() throws Exception {
    JdbcLedger ledger = new JdbcLedger(db, JSON);
    CountDownLatch firstRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      Future<?> first =
          pool.submit(
              () ->
                  writes.write(
                      c -> {
                        firstRunning.countDown();
                        await(release);
                        return ledger.apply(c, ledger.prepare(note("inv-1")));
                      }));
      assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
      // Behind it, one group: two good transitions and a write that appends a record, then fails.
      Future<?> second = pool.submit(() -> ledger.write(note("inv-2")));
      Future<?> failing =
          pool.submit(
              () ->
                  writes.write(
                      c -> {
                        ledger.apply(c, ledger.prepare(note("inv-undone")));
                        throw new SQLException("fails after it appended its record");
                      }));
      Future<?> third = pool.submit(() -> ledger.write(note("inv-3")));
      waitUntilQueued(3);
      release.countDown();

      first.get(10, TimeUnit.SECONDS);
      second.get(10, TimeUnit.SECONDS);
      third.get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
          .hasRootCauseMessage("fails after it appended its record");
    }
    JdbcAuditLog log = new JdbcAuditLog(db, JSON);
    List<AuditRecord> records = new ArrayList<>();
    log.scan(records::add);
    assertThat(records).extracting(AuditRecord::seq).containsExactly(1L, 2L, 3L);
    assertThat(records)
        .extracting(r -> r.entry().invocationId())
        .containsExactlyInAnyOrder("inv-1", "inv-2", "inv-3");
    assertThat(AuditVerifier.verify(log).intact()).as("the chain links up, head included").isTrue();
    assertThat(log.head().orElseThrow().seq()).isEqualTo(3);

    // and the next group links to the head the last one wrote back
    ledger.write(note("inv-4"));
    assertThat(AuditVerifier.verify(log).intact()).isTrue();
    assertThat(log.head().orElseThrow().seq()).isEqualTo(4);
  }

  private static Transition note(String invocationId) {
    return Transition.note(AuditLogContract.entry(invocationId, "EXECUTING"));
  }

  @Test
  void aQueueLongerThanOneGroupIsCommittedGroupAfterGroupAndNoWriterIsLeftParked()
      throws Exception {
    try (GroupCommit pairs = new GroupCommit(db.dataSource(), 2)) {
      CountDownLatch firstRunning = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      // Not closed by try-with-resources: a writer left parked would make close() wait for ever
      // instead of failing the test. (Below, the platform writers are daemons for the same reason.)
      ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
      try {
        Future<Integer> first =
            pool.submit(
                () ->
                    pairs.write(
                        c -> {
                          firstRunning.countDown();
                          await(release);
                          return insert(c, "first");
                        }));
        assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
          String k = "k" + i;
          queued.add(pool.submit(() -> pairs.write(c -> insert(c, k))));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pairs.queued() < 7) {
          assertThat(System.nanoTime()).as("7 writes queued in time").isLessThan(deadline);
          Thread.sleep(5);
        }
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        for (Future<Integer> f : queued) {
          assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
      } finally {
        pool.shutdownNow();
      }
      // The lone first write, then the seven queued behind it in arrival order, at most two a
      // group.
      assertThat(pairs.commits()).isEqualTo(5);
    }
    assertThat(keys()).hasSize(8);
  }

  @Test
  void manyWritersOnVirtualAndPlatformThreadsAllCommitExactlyOnce() throws Exception {
    int virtualWriters = 48;
    int platformWriters = 4;
    int each = 25;
    try (GroupCommit small = new GroupCommit(db.dataSource(), 3)) {
      List<Future<?>> all = new ArrayList<>();
      ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
      ExecutorService platform =
          Executors.newFixedThreadPool(platformWriters, Thread.ofPlatform().daemon().factory());
      try {
        for (int w = 0; w < virtualWriters + platformWriters; w++) {
          String writer = "w" + w;
          ExecutorService on = w < virtualWriters ? virtual : platform;
          all.add(
              on.submit(
                  () -> {
                    for (int i = 0; i < each; i++) {
                      String k = writer + "-" + i;
                      small.write(c -> insert(c, k));
                    }
                    return null;
                  }));
        }
        for (Future<?> f : all) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        virtual.shutdownNow();
        platform.shutdownNow();
      }
      int total = (virtualWriters + platformWriters) * each;
      assertThat(keys()).hasSize(total).doesNotHaveDuplicates();
      assertThat(small.commits()).isBetween((long) (total + 2) / 3, (long) total);
    }
  }

  @Test
  void aWriteThatThrowsLeavesNothingAndTheNextWriteStillCommits() throws SQLException {
    assertThatThrownBy(
            () ->
                writes.write(
                    c -> {
                      insert(c, "half");
                      throw new IllegalStateException("bug in a write");
                    }))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("bug in a write");

    int whole = writes.write(c -> insert(c, "whole"));
    assertThat(whole).isEqualTo(1);
    assertThat(keys()).containsExactly("whole");
  }

  @Test
  void aKeptStatementIsCompiledOnceAndServesEveryLaterGroup() throws SQLException {
    String sql = "INSERT INTO t (k) VALUES (?)";
    PreparedStatement first = writes.write(c -> kept(c, sql, "one"));
    PreparedStatement second = writes.write(c -> kept(c, sql, "two"));

    assertThat(second).isSameAs(first);
    assertThat(keys()).containsExactlyInAnyOrder("one", "two");
  }

  @Test
  void aKeptStatementThatFailedServesTheNextWrite() throws SQLException {
    String sql = "INSERT INTO t (k) VALUES (?)";
    writes.write(c -> kept(c, sql, "dup"));
    assertThatThrownBy(() -> writes.write(c -> kept(c, sql, "dup")))
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(Dialect.uniqueViolation((SQLException) e)).isTrue());

    writes.write(c -> kept(c, sql, "after"));
    assertThat(keys()).containsExactlyInAnyOrder("dup", "after");
  }

  @Test
  void aKeptStatementIsRefusedOutsideAGroupAndOnAnotherConnection() throws SQLException {
    try (Connection other = db.dataSource().getConnection()) {
      assertThatThrownBy(() -> writes.statement(other, "SELECT 1"))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> writes.write(c -> writes.statement(other, "SELECT 1")))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("group's connection");
    }
  }

  @Test
  void aGroupThatCannotCommitGetsAFreshConnectionForTheNext() throws SQLException {
    Connection broken =
        writes.write(
            c -> {
              insert(c, "lost");
              return c;
            });
    broken.close(); // what a dying connection looks like to the next group

    writes.write(c -> insert(c, "next"));
    assertThat(keys()).containsExactlyInAnyOrder("lost", "next");
  }

  @Test
  void afterCloseEveryWriteFails() {
    writes.close();

    assertThatThrownBy(() -> writes.write(c -> insert(c, "late")))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("closed");
  }

  private PreparedStatement kept(Connection c, String sql, String k) throws SQLException {
    PreparedStatement ps = writes.statement(c, sql);
    ps.setString(1, k);
    ps.executeUpdate();
    return ps;
  }

  private void waitUntilQueued(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (writes.queued() < n) {
      assertThat(System.nanoTime()).as("%d writes queued in time", n).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static int insert(Connection c, String k) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (k) VALUES (?)")) {
      ps.setString(1, k);
      return ps.executeUpdate();
    }
  }

  private List<String> keys() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT k FROM t")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
