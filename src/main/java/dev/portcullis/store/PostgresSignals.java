package dev.portcullis.store;

import dev.portcullis.invocation.NodeSignals;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes' signals over PostgreSQL's LISTEN/NOTIFY, on one channel per schema ({@code
 * portcullis.<schema>}, so installations sharing a database do not hear each other). A signal is
 * sent with {@code pg_notify}, either inside the transaction that writes what it names ({@link
 * #within}: PostgreSQL delivers it only when that transaction commits) or after it ({@link #send}).
 * One connection of its own, outside the pool, listens; its backend is named {@code
 * portcullis-signals <schema>} in {@code pg_stat_activity}.
 *
 * <p>Failure: when the listening connection fails (the server restarted, the backend was
 * terminated, the network dropped) it is opened again after a backoff from {@link #FIRST_BACKOFF}
 * doubling to {@link #MAX_BACKOFF}, and the listener is told it {@linkplain Listener#missed missed}
 * signals; the followers' polling covers the gap. A signal that cannot be sent is logged and
 * dropped. Nothing here is trusted as state: a signal only makes a node read the store.
 *
 * <p>Concurrency: one daemon thread listens and one delivers, so a slow listener never stops the
 * connection being read; {@link #send} uses the pool from any thread.
 */
public final class PostgresSignals implements NodeSignals, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresSignals.class);

  /** The channel: a name of at most 63 bytes, PostgreSQL's limit. */
  private static final String CHANNEL = "'portcullis.' || left(current_schema(), 52)";

  private static final String NOTIFY = "SELECT pg_notify(" + CHANNEL + ", ?)";

  /** What the listening backend calls itself, followed by the schema. */
  public static final String APPLICATION = "portcullis-signals";

  static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** How long one wait for notifications lasts before the loop looks whether it was closed. */
  private static final int WAIT_MILLIS = 500;

  private final DataSource pool;
  private final GroupCommit.Connections connections;
  private final Object lock = new Object();
  private Thread thread;
  private ExecutorService delivery;
  private volatile boolean closed;

  PostgresSignals(DataSource pool, GroupCommit.Connections connections) {
    this.pool = pool;
    this.connections = connections;
  }

  /**
   * Sends {@code signal} in the transaction {@code c} is in, if {@code dialect} is PostgreSQL: it
   * is delivered when that transaction commits, and never if it rolls back.
   */
  static void within(Connection c, Dialect dialect, Signal signal) throws SQLException {
    if (dialect != Dialect.POSTGRES) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(NOTIFY)) {
      ps.setString(1, signal.payload());
      ps.execute();
    }
  }

  @Override
  public void send(Signal signal) {
    try (Connection c = pool.getConnection()) {
      within(c, Dialect.POSTGRES, signal);
    } catch (SQLException e) {
      LOG.warn(
          "cannot signal {} to the other nodes ({}); they see it at their next poll",
          signal.payload(),
          e.getMessage());
    }
  }

  @Override
  public boolean crossesNodes() {
    return true;
  }

  @Override
  public Subscription listen(Listener listener) {
    synchronized (lock) {
      if (thread != null || closed) {
        throw new IllegalStateException("the store's signals have one listener");
      }
      delivery =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "portcullis-signals-delivery");
                t.setDaemon(true);
                return t;
              });
      thread = new Thread(() -> run(listener), "portcullis-signals");
      thread.setDaemon(true);
      thread.start();
    }
    return this::close;
  }

  private void run(Listener listener) {
    Duration backoff = FIRST_BACKOFF;
    while (!closed) {
      try (Connection c = connections.open()) {
        String channel = join(c);
        LOG.debug("listening for the other nodes' signals on channel {}", channel);
        // whatever was sent before this LISTEN (at start, or while the connection was down) is lost
        deliver(listener::missed);
        backoff = FIRST_BACKOFF;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] batch = pg.getNotifications(WAIT_MILLIS);
          if (batch == null) {
            continue;
          }
          for (PGNotification n : batch) {
            Signal.parse(n.getParameter())
                .ifPresentOrElse(
                    s -> deliver(() -> listener.signalled(s)),
                    () -> LOG.debug("ignoring an unknown signal {}", n.getParameter()));
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.warn(
            "the connection listening for the other nodes' signals failed ({}); reconnecting in {} ms,"
                + " and polling meanwhile",
            e.getMessage(),
            backoff.toMillis());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          return;
        }
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
      }
    }
  }

  /** Names the backend, subscribes to the channel, and answers the channel's name. */
  private static String join(Connection c) throws SQLException {
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      st.execute(
          "SELECT set_config('application_name', '"
              + APPLICATION
              + " ' || current_schema(), false)");
      String channel;
      try (ResultSet rs = st.executeQuery("SELECT " + CHANNEL)) {
        rs.next();
        channel = rs.getString(1);
      }
      st.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
      return channel;
    }
  }

  private void deliver(Runnable task) {
    try {
      delivery.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.warn("a node signal's listener failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /**
   * Stops listening and delivering; signals can still be sent (through the pool) until it closes.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      t = thread;
      // the listening connection is left to its thread, which closes it within one wait: closing it
      // from here would contend with the driver's read
      if (delivery != null) {
        delivery.shutdownNow();
      }
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(WAIT_MILLIS * 4L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
