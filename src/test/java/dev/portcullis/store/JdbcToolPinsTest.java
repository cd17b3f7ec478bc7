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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool pins contract on the embedded SQLite store, and what the database itself guarantees: the
 * table's triggers refuse any change to a recorded approval, whoever writes.
 */
class JdbcToolPinsTest extends ToolPinsContract {
  @TempDir Path dir;
  private final List<Database> open = new ArrayList<>();

  @Override
  protected ToolPins emptyPins() {
    return new JdbcToolPins(database().dataSource(), JSON);
  }

  private Database database() {
    Database db = openDatabase();
    open.add(db);
    return db;
  }

  /** A new, empty database: SQLite here, PostgreSQL in the subclass. */
  protected Database openDatabase() {
    return EmbeddedDatabase.open(dir.resolve("db" + open.size()));
  }

  /** A second gateway (process or node) on the database {@code db}. */
  protected Database anotherNodeOn(Database db) {
    return EmbeddedDatabase.open(((EmbeddedDatabase) db).file().getParent());
  }

  /** A connection of its own, as a tamperer with the database would open. */
  protected Connection raw(Database db) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + ((EmbeddedDatabase) db).file());
  }

  @Test
  void theDatabaseRefusesToChangeARecordedApproval() throws Exception {
    Database db = database();
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
    Database db = database();
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
          .satisfies(e -> assertThat(Dialect.uniqueViolation((SQLException) e)).isTrue());
    }
  }

  @Test
  void aStoreThatCannotBeReadOrWrittenFailsWithATypedError() {
    Database db = database();
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

  @Test
  void twoNodesApprovingTheSameToolAtOnceGetDistinctVersions() throws Exception {
    Database first = database();
    Database second = anotherNodeOn(first);
    open.add(second);
    List<ToolPins> nodes =
        List.of(
            new JdbcToolPins(first.dataSource(), JSON),
            new JdbcToolPins(second.dataSource(), JSON));
    int approversPerNode = 4;
    int each = 5;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Integer>>> approvers = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(nodes.size() * approversPerNode)) {
      for (ToolPins node : nodes) {
        for (int a = 0; a < approversPerNode; a++) {
          String by = "approver-" + approvers.size();
          approvers.add(
              pool.submit(
                  () -> {
                    start.await();
                    List<Integer> versions = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                      versions.add(
                          node.approve(
                                  "weather.get_weather",
                                  fingerprint(descriptor(by + " " + i)),
                                  descriptor(by + " " + i),
                                  by,
                                  AT)
                              .version());
                    }
                    return versions;
                  }));
        }
      }
      start.countDown();
      List<Integer> versions = new ArrayList<>();
      for (Future<List<Integer>> f : approvers) {
        versions.addAll(f.get(60, TimeUnit.SECONDS));
      }
      int total = nodes.size() * approversPerNode * each;
      assertThat(versions)
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
      assertThat(nodes.get(1).current())
          .singleElement()
          .extracting(ToolPin::version)
          .isEqualTo(total);
    }
  }

  /**
   * Returns once a connection to {@code db} waits for a row lock another transaction holds; where
   * that cannot be seen (SQLite), at once: the waiting writer then finds the row committed instead.
   */
  protected void awaitALockWait(Database db) throws Exception {}

  @Test
  void anApprovalWaitingBehindAnotherNodesApprovalOfTheSameVersionTakesTheNext() throws Exception {
    Database db = database();
    ToolPins pins = new JdbcToolPins(db.dataSource(), JSON);
    try (Connection otherNode = raw(db);
        ExecutorService pool = Executors.newSingleThreadExecutor()) {
      otherNode.setAutoCommit(false);
      try (Statement st = otherNode.createStatement()) {
        st.executeUpdate(
            "INSERT INTO tool_pins VALUES"
                + " ('weather.get_weather', 1, 'sha256:0', '{}', 'bob', '2026-11-23T10:00:00Z')");
      }
      Future<ToolPin> alice =
          pool.submit(
              () ->
                  pins.approve(
                      "weather.get_weather",
                      fingerprint(descriptor("v2")),
                      descriptor("v2"),
                      "alice",
                      AT));
      awaitALockWait(db);
      otherNode.commit();

      assertThat(alice.get(30, TimeUnit.SECONDS).version()).isEqualTo(2);
    }
    assertThat(pins.current()).singleElement().extracting(ToolPin::approvedBy).isEqualTo("alice");
  }

  @AfterEach
  void close() {
    open.forEach(Database::close);
  }
}
