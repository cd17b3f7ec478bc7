package dev.portcullis.store;

import dev.portcullis.identity.SessionStore;
import dev.portcullis.identity.SessionStoreContract;
import dev.portcullis.testing.Postgres;
import org.junit.jupiter.api.AfterEach;

/** The session store contract on real PostgreSQL, through the migrations. */
class PostgresSessionStoreTest extends SessionStoreContract {
  private PostgresDatabase db;

  @Override
  protected SessionStore emptyStore() {
    db = PostgresDatabase.open(Postgres.freshDatabase());
    return new JdbcSessionStore(db.dataSource());
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }
}
