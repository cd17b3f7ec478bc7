package dev.portcullis.cli;

import dev.portcullis.config.StoreSettings;
import dev.portcullis.store.Database;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.vault.EnvelopeCipher;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretSources;
import dev.portcullis.vault.SecretUse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The half of a start that needs little or no configuration: the master key read, the data
 * directory locked, its store opened and migrated. {@code serve} does it on a thread of its own
 * while the configuration loads (BENCHMARKS.md, section 9), for the embedded store; a PostgreSQL
 * store is opened once the configuration that names it has loaded ({@link #opening}). {@link
 * Assembly#open} builds the rest on it.
 *
 * <p>Lifecycle: the {@link Assembly} made from it closes it; until then, whoever opened it does.
 */
final class OpenedStore implements AutoCloseable {
  private final Optional<EnvelopeCipher> masterKey;
  private final DataDirectory data;
  private final Database database;

  private OpenedStore(Optional<EnvelopeCipher> masterKey, DataDirectory data, Database database) {
    this.masterKey = masterKey;
    this.data = data;
    this.database = database;
  }

  /** Reads the master key, locks {@code dataDirectory}, opens and migrates its embedded store. */
  static OpenedStore open(Path dataDirectory, Map<String, String> env) {
    return open(dataDirectory, env, StoreSettings.EMBEDDED);
  }

  /** As {@link #open(Path, Map)}, on the store {@code settings} name. */
  static OpenedStore open(Path dataDirectory, Map<String, String> env, StoreSettings settings) {
    var masterKey = MasterKeys.load(null, env, dataDirectory);
    DataDirectory data = DataDirectory.lock(dataDirectory);
    try {
      return new OpenedStore(masterKey, data, database(settings, data.path(), env));
    } catch (RuntimeException e) {
      data.close();
      throw e;
    }
  }

  /**
   * This store if it is the one {@code settings} name, else (the configuration loaded after it
   * named another) this one closed and the named one opened in its place.
   */
  OpenedStore opening(StoreSettings settings, Map<String, String> env) {
    boolean embedded = database instanceof EmbeddedDatabase;
    if (embedded == settings.postgres().isEmpty()) {
      return this;
    }
    database.close();
    try {
      return new OpenedStore(masterKey, data, database(settings, data.path(), env));
    } catch (RuntimeException e) {
      data.close();
      throw e;
    }
  }

  /**
   * The store {@code settings} name, opened and migrated, without the data directory's lock (for a
   * command that works beside a running gateway, as SQLite and PostgreSQL both allow).
   */
  static Database database(StoreSettings settings, Path dataDirectory, Map<String, String> env) {
    if (settings.postgres().isEmpty()) {
      return EmbeddedDatabase.open(dataDirectory);
    }
    StoreSettings.Postgres pg = settings.postgres().get();
    String password = null;
    if (pg.password().isPresent()) {
      try {
        password =
            new SecretSources(env, dataDirectory)
                .resolve(pg.password().get(), SecretUse.connector("store"))
                .reveal();
      } catch (SecretResolver.SecretUnavailableException e) {
        throw new IllegalStateException(
            "cannot read the PostgreSQL store's password: " + e.getMessage(), e);
      }
    }
    return PostgresDatabase.open(
        new PostgresDatabase.Settings(pg.url(), pg.user(), password, pg.poolSize()));
  }

  Optional<EnvelopeCipher> masterKey() {
    return masterKey;
  }

  DataDirectory data() {
    return data;
  }

  Database database() {
    return database;
  }

  @Override
  public void close() {
    database.close();
    data.close();
  }
}
