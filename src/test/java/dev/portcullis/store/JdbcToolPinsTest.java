package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.catalog.ToolPin;
import dev.portcullis.catalog.ToolPins;
import dev.portcullis.catalog.ToolPinsContract;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool pins contract on the embedded SQLite store, and what the database itself guarantees: the
 * table's triggers refuse any change to a recorded approval, whoever writes.
 */
class JdbcToolPinsTest extends ToolPinsContract {
  @TempDir Path dir;
  private final List<EmbeddedDatabase> open = new ArrayList<>();

  @Override
  protected ToolPins emptyPins() {
    return new JdbcToolPins(database().dataSource(), JSON);
  }

  private EmbeddedDatabase database() {
    EmbeddedDatabase db = EmbeddedDatabase.open(dir.resolve("db" + open.size()));
    open.add(db);
    return db;
  }

  /** A connection of its own, as a tamperer with the file would open. */
  private static Connection raw(EmbeddedDatabase db) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + db.file());
  }

  @Test
  void theDatabaseRefusesToChangeARecordedApproval() throws Exception {
    EmbeddedDatabase db = database();
    ToolPins pins = new JdbcToolPins(db.dataSource(), JSON);
    ToolPin approved =
        pins.approve(
            "weather.get_weather", fingerprint(descriptor("v1")), descriptor("v1"), "alice", AT);

    try (Connection c = raw(db);
        Statement st = c.createStatement()) {
      assertThatThrownBy(
              () ->
                  st.executeUpdate(
                      "UPDATE tool_pins SET descriptor = '{\"description\":\"evil\"}', fingerprint = 'sha256:0'"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("tool_pins is append-only");
      assertThatThrownBy(
              () ->
                  st.executeUpdate(
                      "UPDATE tool_pins SET approved_by = 'mallory' WHERE version = 1"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("tool_pins is append-only");
      assertThatThrownBy(
              () -> st.executeUpdate("DELETE FROM tool_pins WHERE tool = 'weather.get_weather'"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("tool_pins is append-only");
    }

    assertThat(pins.current()).containsExactly(approved);
  }

  @Test
  void aVersionCannotBeRecordedTwice() throws Exception {
    EmbeddedDatabase db = database();
    ToolPins pins = new JdbcToolPins(db.dataSource(), JSON);
    pins.approve(
        "weather.get_weather", fingerprint(descriptor("v1")), descriptor("v1"), "alice", AT);

    try (Connection c = raw(db);
        Statement st = c.createStatement()) {
      assertThatThrownBy(
              () ->
                  st.executeUpdate(
                      "INSERT INTO tool_pins VALUES"
                          + " ('weather.get_weather', 1, 'sha256:0', '{}', 'mallory', '2026-11-23T10:00:00Z')"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("UNIQUE");
    }
  }

  @Test
  void aStoreThatCannotBeReadOrWrittenFailsWithATypedError() {
    EmbeddedDatabase db = database();
    ToolPins pins = new JdbcToolPins(db.dataSource(), JSON);
    db.close();

    assertThatThrownBy(pins::current)
        .isInstanceOf(ToolPins.PinStoreException.class)
        .hasMessageStartingWith("cannot read the tool approvals: ");
    assertThatThrownBy(
            () -> pins.approve("weather.get_weather", "sha256:0", descriptor("v1"), "alice", AT))
        .isInstanceOf(ToolPins.PinStoreException.class)
        .hasMessageStartingWith("cannot record the approval of weather.get_weather: ");
  }

  @AfterEach
  void close() {
    open.forEach(EmbeddedDatabase::close);
  }
}
