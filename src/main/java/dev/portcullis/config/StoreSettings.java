package dev.portcullis.config;

import dev.portcullis.vault.SecretRef;
import java.util.Optional;

/**
 * Where the gateway keeps its state ({@code store:}): the embedded SQLite file in the data
 * directory (the default, {@code type: sqlite}), or a PostgreSQL database that several nodes share
 * ({@code type: postgres}).
 *
 * <p>Security: the password is a reference, {@code env:NAME} or {@code file:PATH}, never a value,
 * and never {@code vault:} (the embedded vault lives in the store it would open). A URL that
 * carries a password is refused at load.
 */
public record StoreSettings(Optional<Postgres> postgres) {
  public static final StoreSettings EMBEDDED = new StoreSettings(Optional.empty());

  /** A PostgreSQL store: its JDBC URL, the role to connect as, its password, the pool's size. */
  public record Postgres(String url, String user, Optional<SecretRef> password, int poolSize) {}

  /** {@code sqlite} or {@code postgres}, as the configuration names it. */
  public String type() {
    return postgres.isPresent() ? "postgres" : "sqlite";
  }
}
