package dev.portcullis.store;

import dev.portcullis.identity.SessionStore;
import dev.portcullis.identity.SessionStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The session store contract on real SQLite, through the migrations. */
class SqliteSessionStoreTest extends SessionStoreContract {
  @TempDir Path dir;
  private EmbeddedDatabase db;

  @Override
  protected SessionStore emptyStore() {
    db = EmbeddedDatabase.open(dir);
    return new JdbcSessionStore(db.dataSource());
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }
}
