package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Installation keys on real SQLite: created once, the same after a restart, never rewritten. */
class InstallationKeysTest {
  @TempDir Path dir;

  @Test
  void theFirstKeyWinsAndSurvivesARestart() {
    byte[] first;
    try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
      InstallationKeys keys = new InstallationKeys(db.dataSource(), Clock.systemUTC());
      first = keys.getOrCreate("k", () -> new byte[] {1, 2, 3});
      assertThat(keys.getOrCreate("k", () -> new byte[] {9})).containsExactly(1, 2, 3);
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
      assertThat(
              new InstallationKeys(db.dataSource(), Clock.systemUTC())
                  .getOrCreate("k", () -> new byte[] {7}))
          .isEqualTo(first);
    }
  }

  @Test
  void aStoredKeyCannotBeRewritten() throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.open(dir)) {
      new InstallationKeys(db.dataSource(), Clock.systemUTC())
          .getOrCreate("k", () -> new byte[] {1});
      try (Connection c = db.dataSource().getConnection();
          PreparedStatement ps =
              c.prepareStatement("UPDATE installation_keys SET key = x'00' WHERE name = 'k'")) {
        assertThatThrownBy(ps::executeUpdate)
            .hasMessageContaining("installation_keys are written once");
      }
    }
  }
}
