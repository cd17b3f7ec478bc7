package dev.portcullis.store;

import dev.portcullis.testing.Postgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.IdentityHashMap;

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

  private Database open(PostgresDatabase.Settings s) {
    Database db = PostgresDatabase.open(s);
    settings.put(db, s);
    return db;
  }
}
