package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installation keys on real SQLite (PostgreSQL in the subclass): created once, the same after a
 * restart and on every node, never rewritten.
 */
class InstallationKeysTest {
  @TempDir Path dir;

  /** The store: each call opens the same database again, as a restart or another node would. */
  protected Database openDatabase() {
    return EmbeddedDatabase.open(dir);
  }

  @Test
  void theFirstKeyWinsAndSurvivesARestart() {
    byte[] first;
    try (Database db = openDatabase()) {
      InstallationKeys keys = new InstallationKeys(db.dataSource(), Clock.systemUTC());
      first = keys.getOrCreate("k", () -> new byte[] {1, 2, 3});
      assertThat(keys.getOrCreate("k", () -> new byte[] {9})).containsExactly(1, 2, 3);
    }
    try (Database db = openDatabase()) {
      assertThat(
              new InstallationKeys(db.dataSource(), Clock.systemUTC())
                  .getOrCreate("k", () -> new byte[] {7}))
          .isEqualTo(first);
    }
  }

  @Test
  void twoNodesRacingForTheSameKeyNameGetTheSameKey() throws Exception {
    int perNode = 4;
    try (Database a = openDatabase();
        Database b = openDatabase();
        ExecutorService pool = Executors.newFixedThreadPool(2 * perNode)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<byte[]>> racers = new ArrayList<>();
      for (Database node : List.of(a, b)) {
        InstallationKeys keys = new InstallationKeys(node.dataSource(), Clock.systemUTC());
        for (int i = 0; i < perNode; i++) {
          byte mine = (byte) racers.size();
          racers.add(
              pool.submit(
                  () -> {
                    start.await();
                    return keys.getOrCreate("k", () -> new byte[] {mine, mine, mine});
                  }));
        }
      }
      start.countDown();
      byte[] winner = racers.getFirst().get(30, TimeUnit.SECONDS);
      for (Future<byte[]> racer : racers) {
        assertThat(racer.get(30, TimeUnit.SECONDS)).isEqualTo(winner);
      }
    }
  }

  @Test
  void aStoredKeyCannotBeRewritten() throws Exception {
    try (Database db = openDatabase()) {
      InstallationKeys keys = new InstallationKeys(db.dataSource(), Clock.systemUTC());
      keys.getOrCreate("k", () -> new byte[] {1});
      try (Connection c = db.dataSource().getConnection();
          PreparedStatement ps =
              c.prepareStatement("UPDATE installation_keys SET key = ? WHERE name = 'k'")) {
        ps.setBytes(1, new byte[] {0});
        assertThatThrownBy(ps::executeUpdate).hasMessageContaining("installation_keys");
      }
      assertThat(keys.getOrCreate("k", () -> new byte[] {2})).containsExactly(1);
    }
  }
}
