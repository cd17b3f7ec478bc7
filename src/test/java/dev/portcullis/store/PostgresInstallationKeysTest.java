package dev.portcullis.store;

import dev.portcullis.testing.Postgres;

/**
 * The same cases as {@link InstallationKeysTest}, on PostgreSQL, the nodes sharing one database.
 */
class PostgresInstallationKeysTest extends InstallationKeysTest {
  private PostgresDatabase.Settings settings;

  @Override
  protected Database openDatabase() {
    if (settings == null) {
      settings = Postgres.freshDatabase();
    }
    return PostgresDatabase.open(settings);
  }
}
