package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Postgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The same cases as {@link GroupCommitTest}, on PostgreSQL: there a failed statement aborts the
 * whole transaction until it is rolled back to a savepoint, so a write that fails must still be
 * undone alone and leave its group able to commit. And what only several nodes have: a group that
 * waits for the chain's head while another node's group holds it takes in the writes that queue
 * meanwhile.
 */
class PostgresGroupCommitTest extends GroupCommitTest {
  @Override
  protected Database openDatabase() {
    return PostgresDatabase.open(Postgres.freshDatabase());
  }

  @Test
  void writesThatQueueWhileTheGroupWaitsForTheChainsHeadCommitWithThatGroup() throws Exception {
    PostgresDatabase.Settings settings = Postgres.freshDatabase();
    try (PostgresDatabase node = PostgresDatabase.open(settings);
        Connection otherNode = Postgres.superuser(settings);
        Connection observer = Postgres.superuser(settings)) {
      try (Statement s = otherNode.createStatement()) {
        s.execute("CREATE TABLE queued_writes (k text PRIMARY KEY)");
      }
      // Another node's group holds the head.
      otherNode.setAutoCommit(false);
      try (Statement s = otherNode.createStatement()) {
        s.execute("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE");
      }
      GroupCommit writes = node.writes();
      long before = writes.commits();
      // Not closed by try-with-resources, which would wait for ever for a write behind the lock
      // if an assertion below failed: the other node's transaction ends in the finally instead.
      ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
      try {
        List<Future<Integer>> all = new ArrayList<>();
        all.add(pool.submit(() -> writes.write(c -> insert(c, "first"))));
        awaitWaitingForALock(observer);
        for (String k : List.of("a", "b", "c", "d")) {
          all.add(pool.submit(() -> writes.write(c -> insert(c, k))));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writes.queued() < 5) {
          assertThat(System.nanoTime()).as("all five queued in time").isLessThan(deadline);
          Thread.sleep(5);
        }
        otherNode.commit(); // the other node's group is done: the head is free

        for (Future<Integer> f : all) {
          assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
      } finally {
        otherNode.rollback(); // a no-op once committed
        pool.shutdownNow();
      }
      assertThat(writes.commits() - before)
          .as("the first write and the four that queued behind it, in one transaction")
          .isEqualTo(1);
    }
  }

  /**
   * Waits until some session of the test's database waits for a lock (the group, for the head).
   * {@code observer} is in autocommit: within one transaction PostgreSQL's activity view is a
   * snapshot that never changes.
   */
  private static void awaitWaitingForALock(Connection observer) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (PreparedStatement ps =
              observer.prepareStatement(
                  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                      + " AND wait_event_type = 'Lock'");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
      }
      assertThat(System.nanoTime()).as("the group waits for the head in time").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static int insert(Connection c, String k) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO queued_writes (k) VALUES (?)")) {
      ps.setString(1, k);
      return ps.executeUpdate();
    }
  }
}
