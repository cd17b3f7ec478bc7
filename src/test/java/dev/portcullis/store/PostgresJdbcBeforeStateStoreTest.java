package dev.portcullis.store;

import dev.portcullis.testing.Postgres;

/** The same cases as {@link JdbcBeforeStateStoreTest}, on PostgreSQL. */
class PostgresJdbcBeforeStateStoreTest extends JdbcBeforeStateStoreTest {
  @Override
  protected Database openDatabase() {
    return PostgresDatabase.open(Postgres.freshDatabase());
  }
}
