package dev.portcullis.cli;

import dev.portcullis.store.Database;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Which store a command reads: the embedded one in the data directory (the default), or, with
 * {@code --store}, a PostgreSQL database that gateway nodes share. As with {@code psql}, the
 * password comes from {@code $PGPASSWORD}, never from the command line (where other users of the
 * machine could read it).
 */
final class StoreOptions {
  @Option(
      names = "--store",
      paramLabel = "URL",
      description = {
        "A shared PostgreSQL store to read instead of the data directory's:",
        "jdbc:postgresql://HOST[:PORT]/DATABASE (default: $PORTCULLIS_STORE_URL).",
        "The password is read from $PGPASSWORD."
      })
  String url;

  @Option(
      names = "--store-user",
      paramLabel = "ROLE",
      description = "The role to connect to --store as (default: $PGUSER).")
  String user;

  /**
   * The store these options name, opened (and migrated); {@code dataDirectory}'s by default, which
   * must hold one ({@code what} says what the command looked for, for the message).
   */
  Database open(Path dataDirectory, Map<String, String> env, String what) {
    return open(dataDirectory, env, what, false);
  }

  /**
   * As {@link #open}, making the data directory's store when it has none (the vault's first use).
   */
  Database openOrCreate(Path dataDirectory, Map<String, String> env) {
    return open(dataDirectory, env, "store", true);
  }

  private Database open(Path dataDirectory, Map<String, String> env, String what, boolean create) {
    String store = url != null ? url : env.get("PORTCULLIS_STORE_URL");
    if (store == null || store.isBlank()) {
      if (!create && !Files.isRegularFile(dataDirectory.resolve(EmbeddedDatabase.FILE_NAME))) {
        throw new CliException(
            "no "
                + what
                + " in "
                + dataDirectory
                + "; point --data at a gateway's data directory, or --store at its PostgreSQL"
                + " database");
      }
      return EmbeddedDatabase.open(dataDirectory);
    }
    if (!store.startsWith("jdbc:postgresql://")) {
      throw new CliException(
          "--store must be a PostgreSQL JDBC URL (jdbc:postgresql://HOST[:PORT]/DATABASE), not "
              + store);
    }
    if (store.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
      throw new CliException(
          "--store must not carry a password (other users can read a command line); set"
              + " $PGPASSWORD instead");
    }
    try {
      return PostgresDatabase.open(
          new PostgresDatabase.Settings(
              store, user != null ? user : env.get("PGUSER"), env.get("PGPASSWORD"), 2));
    } catch (IllegalStateException e) {
      // a store that cannot be reached cannot be read: exit 2, as audit verify documents
      throw new CliException(e.getMessage(), 2);
    }
  }
}
