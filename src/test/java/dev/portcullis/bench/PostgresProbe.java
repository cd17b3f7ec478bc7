package dev.portcullis.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * What a PostgreSQL store costs beside the gateway, for the scenario benchmark: the CPU time of the
 * server's processes on this machine (the postmaster and every backend, whoever they serve), and
 * how many transactions that wrote it has committed (the next transaction id it would assign, read
 * without taking one: each writing transaction takes exactly one id, a read-only one none, so the
 * difference over a window is its durable commits; the statistics views lag by up to a second).
 *
 * <p>Failure: a server that is not on this machine has no processes to read; its CPU is then -1.
 *
 * <p>Concurrency: one connection, used by one thread at a time (the benchmark's).
 */
final class PostgresProbe implements AutoCloseable {
  private final Connection connection;

  private PostgresProbe(Connection connection) {
    this.connection = connection;
  }

  /** Connects to {@code url} as {@code user} (no password: the bench machine trusts loopback). */
  static PostgresProbe open(String url, String user) throws SQLException {
    return new PostgresProbe(DriverManager.getConnection(url, user, null));
  }

  /** The next transaction id the server will assign (transactions that wrote, so far). */
  long nextTransactionId() {
    try (Statement s = connection.createStatement();
        ResultSet r =
            s.executeQuery("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("reading PostgreSQL's transaction id failed", e);
    }
  }

  /**
   * User + system CPU time of every {@code postgres} process on this machine so far, or -1 when
   * none can be read.
   */
  static long serverCpuNanos() {
    long[] sum = {0};
    boolean[] any = {false};
    ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
        .forEach(
            p ->
                p.info()
                    .totalCpuDuration()
                    .map(Duration::toNanos)
                    .ifPresent(
                        n -> {
                          sum[0] += n;
                          any[0] = true;
                        }));
    return any[0] ? sum[0] : -1;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // closing a probe connection that already broke: nothing to release
    }
  }
}
