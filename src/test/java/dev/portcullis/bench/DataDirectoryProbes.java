package dev.portcullis.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Measurements taken in the gateway's data directory, from outside the gateway (it may be another
 * process): the time of one fsync on that file system, and how many bytes the database keeps per
 * call.
 */
final class DataDirectoryProbes {
  /**
   * The database file of the embedded store (EmbeddedDatabase.FILE_NAME) and its write-ahead log.
   */
  static final String DATABASE = "portcullis.db";

  /**
   * Growth of the database over {@code calls} calls (errors included), after a checkpoint on each
   * side.
   */
  record Stored(String scenario, long calls, long errors, long before, long after) {
    double bytesPerCall() {
      return calls == 0 ? Double.NaN : (after - before) / (double) calls;
    }
  }

  private DataDirectoryProbes() {}

  /**
   * {@code count} times: append 512 bytes to a small file in {@code dir} and {@code
   * FileChannel.force(false)} it (fdatasync), as a WAL commit does; one value per fsync, in ns.
   */
  static Histogram fsync(Path dir, int count) throws IOException {
    Path file = dir.resolve("bench-fsync-probe.bin");
    Histogram h = new Histogram(3);
    ByteBuffer block = ByteBuffer.allocate(512);
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int i = 0; i < count + 20; i++) {
        block.clear();
        channel.write(block);
        long t0 = System.nanoTime();
        channel.force(false);
        long t1 = System.nanoTime();
        if (i >= 20) {
          h.recordValue(t1 - t0);
        }
      }
    } finally {
      Files.deleteIfExists(file);
    }
    return h;
  }

  /**
   * Checkpoints the database in {@code dataDir} (so its WAL is folded in and truncated), makes
   * {@code calls} calls of {@code scenario} over {@code clients} clients, checkpoints again, and
   * answers the growth of the database and WAL files. The gateway must be otherwise idle.
   */
  static Stored storedBytes(Path dataDir, Scenario scenario, int calls, int clients)
      throws IOException, InterruptedException, SQLException {
    Path db = dataDir.resolve(DATABASE);
    long before = checkpointedSize(db);
    long[] done = new long[2];
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      List<Scenario.Caller> callers = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        callers.add(scenario.clients().newCaller(http));
      }
      AtomicLong budget = new AtomicLong(calls);
      AtomicLong ok = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      AtomicReference<Exception> broken = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (Scenario.Caller caller : callers) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      while (budget.getAndDecrement() > 0) {
                        try {
                          (caller.call() == null ? ok : errors).incrementAndGet();
                        } catch (IOException | InterruptedException | RuntimeException e) {
                          errors.incrementAndGet();
                          broken.compareAndSet(null, e);
                          return;
                        }
                      }
                    }));
      }
      for (Thread t : threads) {
        t.join();
      }
      done[0] = ok.get();
      done[1] = errors.get();
    }
    long after = checkpointedSize(db);
    return new Stored(scenario.name(), done[0] + done[1], done[1], before, after);
  }

  /**
   * {@code PRAGMA wal_checkpoint(TRUNCATE)} until no writer holds it off, then the size of the
   * database and its WAL.
   */
  static long checkpointedSize(Path db) throws SQLException, InterruptedException, IOException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout=10000");
      for (int attempt = 0; ; attempt++) {
        try (ResultSet r = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
          if (r.next() && r.getInt(1) == 0) {
            break;
          }
        }
        if (attempt == 100) {
          throw new SQLException("the checkpoint of " + db + " stayed busy for 10 s");
        }
        Thread.sleep(100);
      }
    }
    Path wal = db.resolveSibling(db.getFileName() + "-wal");
    return Files.size(db) + (Files.exists(wal) ? Files.size(wal) : 0);
  }
}
