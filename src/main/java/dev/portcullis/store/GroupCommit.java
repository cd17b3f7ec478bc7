package dev.portcullis.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Every write to one database on the hot path, committed in groups: the audit log and the
 * invocation store share one of these, so that concurrent callers pay for one transaction (one
 * fsync) between them instead of one each. (The approval store, off the hot path, still runs its
 * own transactions, which wait for the group's on the database's write lock.)
 *
 * <p>Concurrency: writes queue up; whichever caller holds the lock runs every write waiting at that
 * moment, in arrival order, in one transaction, then commits and completes them all. Each caller
 * returns only once its own write is durable (or has failed).
 *
 * <p>Failure: each write runs inside its own savepoint, so a write that fails (a violated
 * constraint, a compare-and-set that must undo what it did) is rolled back alone and fails alone;
 * the others in its group commit. When the commit itself fails, every write of the group fails and
 * nothing of it is written.
 */
public final class GroupCommit {
  /** The most writes one transaction takes by default; the rest wait for the next. */
  private static final int MAX_GROUP = 256;

  /** One write: its statements run on {@code c} inside the group's transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;
  private final int maxGroup;
  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending<?>> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicLong commits = new AtomicLong();

  public GroupCommit(DataSource dataSource) {
    this(dataSource, MAX_GROUP);
  }

  /**
   * Groups of at most {@code maxGroup} writes; 1 gives each write a transaction of its own (what
   * the benchmark compares group commit with).
   */
  public GroupCommit(DataSource dataSource, int maxGroup) {
    if (maxGroup < 1) {
      throw new IllegalArgumentException("maxGroup must be at least 1");
    }
    this.dataSource = dataSource;
    this.maxGroup = maxGroup;
  }

  /** Where reads go: they need no group. */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Runs {@code work} in the next group's transaction and returns its result once that transaction
   * has committed.
   *
   * @throws SQLException when the write or its group's commit failed; nothing of the write remains.
   *     A failure of the write itself keeps its SQL state and vendor code.
   */
  public <T> T write(Work<T> work) throws SQLException {
    Pending<T> mine = new Pending<>(work);
    waiting.add(mine);
    lock.lock();
    try {
      while (!mine.done) {
        commitWaiting();
      }
    } finally {
      lock.unlock();
    }
    if (mine.failure != null) {
      throw new SQLException(
          mine.failure.getMessage(),
          mine.failure.getSQLState(),
          mine.failure.getErrorCode(),
          mine.failure);
    }
    return mine.result;
  }

  /**
   * How many transactions this queue has committed (each one fsync): what a write costs, counted.
   */
  public long commits() {
    return commits.get();
  }

  /** How many writes wait for the next group (for tests that build a group on purpose). */
  int queued() {
    return waiting.size();
  }

  /** Runs with {@link #lock} held: one group, one transaction. */
  private void commitWaiting() {
    List<Pending<?>> group = new ArrayList<>();
    for (Pending<?> p; group.size() < maxGroup && (p = waiting.poll()) != null; ) {
      group.add(p);
    }
    if (group.isEmpty()) {
      return;
    }
    boolean committed = false;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (Pending<?> p : group) {
          runAlone(c, p);
        }
        c.commit();
        committed = true;
        commits.incrementAndGet();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      fail(group, e instanceof SQLException sql ? sql : new SQLException(e.getMessage(), e));
    } finally {
      // Even an Error leaves no write of the group waiting for ever with the lock held.
      if (!committed) {
        fail(group, new SQLException("the group's transaction did not commit"));
      }
      for (Pending<?> p : group) {
        p.done = true;
      }
    }
  }

  private static void fail(List<Pending<?>> group, SQLException cause) {
    for (Pending<?> p : group) {
      if (p.failure == null) {
        p.failure = new SQLException("the write was not committed: " + cause.getMessage(), cause);
      }
    }
  }

  /** Runs one write in a savepoint of its own: when it fails, only it is undone. */
  private static <T> void runAlone(Connection c, Pending<T> p) throws SQLException {
    Savepoint before = c.setSavepoint();
    try {
      p.result = p.work.run(c);
      c.releaseSavepoint(before);
    } catch (SQLException | RuntimeException e) {
      c.rollback(before);
      c.releaseSavepoint(before);
      p.failure = e instanceof SQLException sql ? sql : new SQLException(e.getMessage(), e);
    }
  }

  /** One caller's write. Written and read under {@link #lock}. */
  private static final class Pending<T> {
    final Work<T> work;
    boolean done;
    T result;
    SQLException failure;

    Pending(Work<T> work) {
      this.work = work;
    }
  }
}
