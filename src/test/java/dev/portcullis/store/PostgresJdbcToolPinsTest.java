package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Postgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The same cases as {@link JdbcToolPinsTest}, on PostgreSQL: its triggers refuse a superuser's
 * change too, and approvals from two nodes race on the table's key.
 */
class PostgresJdbcToolPinsTest extends JdbcToolPinsTest {
  private final IdentityHashMap<Database, PostgresDatabase.Settings> settings =
      new IdentityHashMap<>();

  @Override
  protected Database openDatabase() {
    return open(Postgres.freshDatabase());
  }

  @Override
  protected Database anotherNodeOn(Database db) {
    return open(settings.get(db));
  }

  @Override
  protected Connection raw(Database db) throws SQLException {
    return Postgres.superuser(settings.get(db));
  }

  @Override
  protected void awaitALockWait(Database db) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (Connection c = raw(db);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    // tests share the database (a schema each): only a tool approval's wait counts
                    + " AND query LIKE 'INSERT INTO tool_pins%'")) {
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        assertThat(System.nanoTime())
            .as("a writer waits for the lock in time")
            .isLessThan(deadline);
        Thread.sleep(10);
      }
    }
  }

  private Database open(PostgresDatabase.Settings s) {
    Database db = PostgresDatabase.open(s);
    settings.put(db, s);
    return db;
  }
}
