package dev.portcullis.cli;

import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.vault.EnvelopeCipher;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The half of a start that needs no configuration: the master key read, the data directory locked,
 * its store opened and migrated. {@code serve} does it on a thread of its own while the
 * configuration loads (BENCHMARKS.md, section 9); {@link Assembly#open} builds the rest on it.
 *
 * <p>Lifecycle: the {@link Assembly} made from it closes it; until then, whoever opened it does.
 */
final class OpenedStore implements AutoCloseable {
  private final Optional<EnvelopeCipher> masterKey;
  private final DataDirectory data;
  private final EmbeddedDatabase database;

  private OpenedStore(
      Optional<EnvelopeCipher> masterKey, DataDirectory data, EmbeddedDatabase database) {
    this.masterKey = masterKey;
    this.data = data;
    this.database = database;
  }

  /** Reads the master key, locks {@code dataDirectory}, opens and migrates its store. */
  static OpenedStore open(Path dataDirectory, Map<String, String> env) {
    var masterKey = MasterKeys.load(null, env, dataDirectory);
    DataDirectory data = DataDirectory.lock(dataDirectory);
    try {
      return new OpenedStore(masterKey, data, EmbeddedDatabase.open(data.path()));
    } catch (RuntimeException e) {
      data.close();
      throw e;
    }
  }

  Optional<EnvelopeCipher> masterKey() {
    return masterKey;
  }

  DataDirectory data() {
    return data;
  }

  EmbeddedDatabase database() {
    return database;
  }

  @Override
  public void close() {
    database.close();
    data.close();
  }
}
