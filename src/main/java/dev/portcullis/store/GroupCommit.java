package dev.portcullis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Concurrency: writes queue up; whichever caller holds the lock begins a transaction, then runs
 * every write waiting at that moment, in arrival order, in it, then commits and completes them all.
 * Each caller returns only once its own write is durable (or has failed). On a store several nodes
 * share, beginning waits for the chain's head while another node's group holds it ({@link
 * Dialect#groupBegins}); the writes that queue meanwhile join the group, so the nodes' groups grow
 * with the wait instead of multiplying.
 *
 * <p>Failure: a write that fails (a violated constraint, a compare-and-set that must undo what it
 * did) is rolled back alone and fails alone; the others in its group commit. The writes of a group
 * first run together; when one fails, the group is undone and run again with each write in a
 * savepoint of its own (so the common case pays no savepoints). When the commit itself fails, every
 * write of the group fails and nothing of it is written.
 *
 * <p>Cost: every group runs on one connection of the writer's own, kept open, whose prepared
 * statements are kept too ({@link #statement}): the statements of the hot path are compiled once,
 * not once per write. A group that fails as a whole discards that connection and its statements;
 * the next group opens a fresh one.
 */
public final class GroupCommit implements AutoCloseable {
  /** The most writes one transaction takes by default; the rest wait for the next. */
  static final int MAX_GROUP = 256;

  private static final String SAVEPOINT = "SAVEPOINT one_write";
  private static final String RELEASE = "RELEASE SAVEPOINT one_write";
  private static final String ROLLBACK_TO = "ROLLBACK TO SAVEPOINT one_write";

  /**
   * One write: its statements run on {@code c} inside the group's transaction. It may run twice in
   * one group, the first run undone (when another write of the group failed), so it touches nothing
   * but {@code c}, and what it keeps for after the commit it takes from its last run.
   */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Opens the connection the groups write on. */
  @FunctionalInterface
  public interface Connections {
    Connection open() throws SQLException;
  }

  private final DataSource dataSource;
  private final Connections connections;
  private final int maxGroup;
  private final String firstStatement;
  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending<?>> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicLong commits = new AtomicLong();

  /** The connection groups write on, and its statements by SQL text; both under {@link #lock}. */
  private Connection writer;

  private boolean closed;

  private final Map<String, PreparedStatement> statements = new HashMap<>();

  /** The audit chain's head for the group running; under {@link #lock}. */
  private final ChainHead head = new ChainHead();

  /** Groups that write on a connection borrowed from {@code dataSource} and kept. */
  public GroupCommit(DataSource dataSource) {
    this(dataSource, MAX_GROUP);
  }

  /**
   * Groups of at most {@code maxGroup} writes; 1 gives each write a transaction of its own (what
   * the benchmark compares group commit with).
   */
  public GroupCommit(DataSource dataSource, int maxGroup) {
    this(dataSource, dataSource::getConnection, maxGroup);
  }

  /**
   * Groups that write on a connection {@code connections} opens (one at a time, kept while it
   * works) and read through {@code dataSource}.
   */
  public GroupCommit(DataSource dataSource, Connections connections, int maxGroup) {
    this(dataSource, connections, maxGroup, null);
  }

  /**
   * As above, each group's transaction starting with {@code firstStatement} (null for none): on a
   * database that several nodes write, the query that locks the audit chain's head and answers it
   * ({@code seq, hash}), which puts their groups in one order (see {@link Dialect#groupBegins}).
   */
  public GroupCommit(
      DataSource dataSource, Connections connections, int maxGroup, String firstStatement) {
    if (maxGroup < 1) {
      throw new IllegalArgumentException("maxGroup must be at least 1");
    }
    this.dataSource = dataSource;
    this.connections = connections;
    this.maxGroup = maxGroup;
    this.firstStatement = firstStatement;
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

  /**
   * The prepared statement for {@code sql} on {@code c}, compiled on first use and kept with the
   * writer's connection: for a write running in a group, on the connection it was handed. The
   * caller binds every parameter, closes any result set it opens, and never closes the statement.
   *
   * @throws IllegalStateException when called outside a group's write, or with another connection
   */
  @SuppressWarnings("ReferenceEquality") // the very connection the group runs on, not an equal one
  public PreparedStatement statement(Connection c, String sql) throws SQLException {
    if (!lock.isHeldByCurrentThread() || writer == null || c != writer) {
      throw new IllegalStateException(
          "a kept statement is only for a write running in a group, on the group's connection");
    }
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = c.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  /**
   * The audit chain's head for the group running on {@code c}: the ledger links its records to it,
   * and the group writes it back once before it commits ({@link ChainHead}).
   *
   * @throws IllegalStateException when called outside a group's write, or with another connection
   */
  @SuppressWarnings("ReferenceEquality") // the very connection the group runs on, not an equal one
  ChainHead head(Connection c) {
    if (!lock.isHeldByCurrentThread() || writer == null || c != writer) {
      throw new IllegalStateException(
          "the chain's head is only for a write running in a group, on the group's connection");
    }
    return head;
  }

  /** Closes the writer's connection and its statements; every later write fails. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      discardWriter();
    } finally {
      lock.unlock();
    }
  }

  /** How many writes wait for the next group (for tests that build a group on purpose). */
  int queued() {
    return waiting.size();
  }

  /** Runs with {@link #lock} held: one group, one transaction. */
  private void commitWaiting() {
    if (waiting.isEmpty()) {
      return;
    }
    List<Pending<?>> group = new ArrayList<>();
    boolean committed = false;
    try {
      Connection c = writer();
      c.setAutoCommit(false);
      try {
        begin(c);
        // The group is taken once its transaction has begun: on a store several nodes share, the
        // first statement waits for the chain's head while another node's group holds it, and the
        // writes that queue here meanwhile join this group instead of each waiting for another
        // turn at the head.
        take(group);
        if (!runTogether(c, group)) {
          // One write failed: undo the whole group, then run each write in a savepoint of its own,
          // so that only the failing one is undone.
          c.rollback();
          begin(c);
          for (Pending<?> p : group) {
            p.result = null;
            runAlone(c, p);
          }
        }
        head.flush(this, c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        throw e;
      }
      committed = true;
      commits.incrementAndGet();
      endTransaction(c);
    } catch (SQLException | RuntimeException e) {
      if (!committed) {
        // the connection's state is unknown after a failure of the group as a whole: start afresh
        discardWriter();
        if (group.isEmpty()) {
          take(group); // it failed before the group was taken: the writes waiting fail with it
        }
        fail(group, e instanceof SQLException sql ? sql : new SQLException(e.getMessage(), e));
      }
    } finally {
      // Even an Error leaves no write of the group waiting for ever with the lock held.
      if (!committed) {
        if (group.isEmpty()) {
          take(group);
        }
        fail(group, new SQLException("the group's transaction did not commit"));
      }
      for (Pending<?> p : group) {
        p.done = true;
      }
    }
  }

  /** Takes up to {@link #maxGroup} waiting writes, in arrival order, into {@code group}. */
  private void take(List<Pending<?>> group) {
    for (Pending<?> p; group.size() < maxGroup && (p = waiting.poll()) != null; ) {
      group.add(p);
    }
  }

  /**
   * Back to autocommit between groups, after the commit: the driver would otherwise begin the next
   * transaction at once and hold it (and SQLite's write lock) until the next group. The group is
   * durable already, so a failure here only costs the connection.
   */
  private void endTransaction(Connection c) {
    try {
      c.setAutoCommit(true);
    } catch (SQLException e) {
      discardWriter();
    }
  }

  /** The writer's connection, opened when there is none. Under {@link #lock}. */
  private Connection writer() throws SQLException {
    if (closed) {
      throw new SQLException("the database is closed");
    }
    if (writer == null || writer.isClosed()) {
      discardWriter();
      writer = connections.open();
    }
    return writer;
  }

  /** Closes the writer's statements and connection, quietly. Under {@link #lock}. */
  private void discardWriter() {
    for (PreparedStatement ps : statements.values()) {
      try {
        ps.close();
      } catch (SQLException ignored) {
        // closing what is being thrown away
      }
    }
    statements.clear();
    if (writer != null) {
      try {
        writer.close();
      } catch (SQLException ignored) {
        // closing what is being thrown away
      }
      writer = null;
    }
  }

  private static void fail(List<Pending<?>> group, SQLException cause) {
    for (Pending<?> p : group) {
      if (p.failure == null) {
        p.failure = new SQLException("the write was not committed: " + cause.getMessage(), cause);
      }
    }
  }

  /**
   * The group's first statement, if any, in its (new) transaction; the chain's head as it answers
   * it, or else read when the group first appends.
   */
  private void begin(Connection c) throws SQLException {
    head.forget();
    if (firstStatement != null) {
      try (ResultSet rs = statement(c, firstStatement).executeQuery()) {
        if (rs.next()) {
          head.read(rs.getLong(1), rs.getString(2));
        }
      }
    }
  }

  /**
   * Runs every write of the group, one after another, with no savepoints (two statements fewer per
   * write, each a round trip on PostgreSQL). False at the first write that fails: the transaction
   * is then in no state to go on (PostgreSQL refuses every statement after a failed one) and the
   * caller undoes it.
   */
  private boolean runTogether(Connection c, List<Pending<?>> group) {
    for (Pending<?> p : group) {
      try {
        run(c, p);
      } catch (SQLException | RuntimeException e) {
        return false;
      }
    }
    return true;
  }

  private static <T> void run(Connection c, Pending<T> p) throws SQLException {
    p.result = p.work.run(c);
  }

  /**
   * Runs one write in a savepoint of its own: when it fails, only it is undone. The savepoint's
   * statements are kept like any other (the driver's {@code setSavepoint} compiles a new one each
   * time).
   */
  private <T> void runAlone(Connection c, Pending<T> p) throws SQLException {
    statement(c, SAVEPOINT).execute();
    ChainHead.Mark before = head.mark();
    try {
      p.result = p.work.run(c);
      statement(c, RELEASE).execute();
    } catch (SQLException | RuntimeException e) {
      head.undo(before);
      statement(c, ROLLBACK_TO).execute();
      statement(c, RELEASE).execute();
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
