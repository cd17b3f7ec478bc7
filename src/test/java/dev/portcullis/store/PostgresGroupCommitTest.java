package dev.portcullis.store;

import dev.portcullis.testing.Postgres;

/**
 * The same cases as {@link GroupCommitTest}, on PostgreSQL: there a failed statement aborts the
 * whole transaction until it is rolled back to a savepoint, so a write that fails must still be
 * undone alone and leave its group able to commit.
 */
class PostgresGroupCommitTest extends GroupCommitTest {
  @Override
  protected Database openDatabase() {
    return PostgresDatabase.open(Postgres.freshDatabase());
  }
}
