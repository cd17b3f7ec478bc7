package dev.portcullis.store;

import dev.portcullis.testing.Postgres;

/** The same cases as {@link JdbcApprovalStoreTest}, on PostgreSQL. */
class PostgresJdbcApprovalStoreTest extends JdbcApprovalStoreTest {
  @Override
  protected Database openDatabase() {
    return PostgresDatabase.open(Postgres.freshDatabase());
  }
}
