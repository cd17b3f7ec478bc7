package dev.portcullis.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.store.Database;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcSecretStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded vault on real SQLite with a real Tink master key. */
class VaultTest {
  protected static final String VALUE = "acme-token-0123456789-very-secret";
  private static final SecretRef REF = SecretRef.parse("vault:acme-token");

  @TempDir Path dir;
  protected Database db;
  private Vault vault;
  private String masterKey;

  /** The store under test: SQLite here, PostgreSQL in the subclass. */
  protected Database openDatabase() {
    return EmbeddedDatabase.open(dir);
  }

  @BeforeEach
  void open() throws Exception {
    db = openDatabase();
    masterKey = EnvelopeCipher.newMasterKeyset();
    vault =
        new Vault(
            new JdbcSecretStore(db.dataSource()),
            Optional.of(EnvelopeCipher.fromKeyset(masterKey)),
            Clock.systemUTC());
  }

  @AfterEach
  void close() {
    db.close();
  }

  protected Vault vault() {
    return vault;
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void storesSealedAndResolvesForAConnectorInScope() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));

    Secret s = vault.resolve(REF, SecretUse.connector("acme"));

    assertThat(s.reveal()).isEqualTo(VALUE);
    assertThat(s.version()).isEqualTo(1);
    assertThat(s.toString()).doesNotContain(VALUE).contains("vault:acme-token@1");
  }

  @Test
  void theDatabaseFileNeverHoldsTheValue() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));
    db.close();

    java.util.List<Path> files;
    try (var listed = Files.list(dir)) {
      files = listed.toList();
    }
    for (Path f : files) {
      if (Files.isRegularFile(f)) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as(f.toString())
            .doesNotContain(VALUE);
      }
    }
    db = openDatabase();
  }

  @Test
  void refusesAConnectorOutsideTheScope() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));

    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.connector("crm")))
        .isInstanceOf(SecretResolver.SecretUnavailableException.class)
        .hasMessage("secret vault:acme-token is not scoped to connector crm");
  }

  @Test
  void aToolScopedSecretOpensForThatToolAlone() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme/orders_refund"));

    assertThat(vault.resolve(REF, SecretUse.tool("acme", "orders_refund")).reveal())
        .isEqualTo(VALUE);
    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.tool("acme", "orders_get")))
        .hasMessage("secret vault:acme-token is not scoped to tool acme/orders_get");
    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.tool("crm", "orders_refund")))
        .hasMessage("secret vault:acme-token is not scoped to tool crm/orders_refund");
    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.connector("acme")))
        .as("a connection-wide use needs a connector-wide scope")
        .hasMessage("secret vault:acme-token is not scoped to connector acme");
  }

  @Test
  void aConnectorScopedSecretOpensForEveryToolOnIt() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));

    assertThat(vault.resolve(REF, SecretUse.tool("acme", "orders_get")).reveal()).isEqualTo(VALUE);
    assertThat(vault.resolve(REF, SecretUse.connector("acme")).reveal()).isEqualTo(VALUE);
  }

  @Test
  void rotationAndRevocationTakeEffectOnTheNextResolve() throws Exception {
    vault.put("acme-token", bytes("v1-value"), Set.of("acme"));
    vault.rotate("acme-token", bytes("v2-value"));
    assertThat(vault.resolve(REF, SecretUse.connector("acme")).reveal()).isEqualTo("v2-value");

    vault.revoke("acme-token", 2);
    assertThat(vault.resolve(REF, SecretUse.connector("acme")).reveal()).isEqualTo("v1-value");

    vault.revoke("acme-token", null);
    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.connector("acme")))
        .hasMessage("secret vault:acme-token has no active version");
  }

  @Test
  void aResolvedSecretMasksEveryLiveVersionAndOnlyThose() throws Exception {
    vault.put("acme-token", bytes("first-value-1111"), Set.of("acme"));
    vault.rotate("acme-token", bytes("second-value-2222"));
    vault.rotate("acme-token", bytes("third-value-3333"));
    vault.revoke("acme-token", 1);

    Secret s = vault.resolve(REF, SecretUse.connector("acme"));

    assertThat(s.reveal()).isEqualTo("third-value-3333");
    assertThat(s.maskIn("a SECOND-VALUE-2222 b third-value-3333 c first-value-1111"))
        .as("the older live version is masked too; a revoked one is no credential any more")
        .isEqualTo("a [REDACTED] b [REDACTED] c first-value-1111");
  }

  @Test
  void aSealedValueMovedToAnotherSecretDoesNotOpen() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));
    vault.put("other-token", bytes("harmless"), Set.of("acme"));
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "UPDATE vault_secrets SET (wrapped_key, ciphertext) = "
              + "(SELECT wrapped_key, ciphertext FROM vault_secrets WHERE name = 'acme-token') WHERE name = 'other-token'");
    }

    assertThatThrownBy(
            () -> vault.resolve(SecretRef.parse("vault:other-token"), SecretUse.connector("acme")))
        .hasMessage("secret vault:other-token version 1 does not open with this master key");
  }

  private void sql(String statement) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  @Test
  void aScopeWidenedInTheDatabaseIsRefusedNotServed() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme/orders_get"));
    sql("UPDATE vault_secrets SET scopes = 'acme,crm,acme/orders_get' WHERE name = 'acme-token'");

    for (SecretUse use :
        java.util.List.of(
            SecretUse.connector("crm"),
            SecretUse.connector("acme"),
            SecretUse.tool("acme", "orders_get"))) {
      assertThatThrownBy(() -> vault.resolve(REF, use))
          .as(use.toString())
          .isInstanceOf(SecretResolver.SecretUnavailableException.class)
          .hasMessage("secret vault:acme-token version 1 does not open with this master key")
          .hasMessageNotContaining(VALUE);
    }
  }

  @Test
  void aScopeNarrowedInTheDatabaseIsRefusedToo() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme", "crm"));
    sql("UPDATE vault_secrets SET scopes = 'acme' WHERE name = 'acme-token'");

    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.connector("acme")))
        .hasMessage("secret vault:acme-token version 1 does not open with this master key");
  }

  @Test
  void aRevocationUndoneInTheDatabaseDoesNotBringTheSecretBack() throws Exception {
    vault.put("acme-token", bytes("first-value-1111"), Set.of("acme"));
    vault.rotate("acme-token", bytes("second-value-2222"));
    vault.revoke("acme-token", 2);
    sql("UPDATE vault_secrets SET revoked_at = NULL WHERE name = 'acme-token'");

    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.connector("acme")))
        .isInstanceOf(SecretResolver.SecretUnavailableException.class)
        .hasMessage("secret vault:acme-token version 2 was revoked: its sealed value is gone");
  }

  @Test
  void aRevokedVersionKeepsNoSealedValue() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));
    vault.revoke("acme-token", null);

    assertThat(vault.list())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.active()).isFalse();
              assertThat(s.sealed().ciphertext())
                  .as("the value is gone; the wrapped key only vouches for the scopes")
                  .isEmpty();
            });
  }

  @Test
  void aRotationDoesNotCarryForwardAScopeWidenedInTheDatabase() throws Exception {
    vault.put("acme-token", bytes("first-value-1111"), Set.of("acme/orders_get"));
    sql("UPDATE vault_secrets SET scopes = 'acme' WHERE name = 'acme-token'");

    assertThatThrownBy(() -> vault.rotate("acme-token", bytes("second-value-2222")))
        .isInstanceOf(Vault.VaultRefusal.class)
        .hasMessage(
            "the scopes of acme-token version 1 were changed outside the vault; nothing was stored");
    assertThat(vault.list()).hasSize(1);
  }

  @Test
  void aRotationAfterEveryVersionWasRevokedKeepsTheSealedScopes() throws Exception {
    vault.put("acme-token", bytes("first-value-1111"), Set.of("acme/orders_get"));
    vault.revoke("acme-token", null);
    vault.rotate("acme-token", bytes("second-value-2222"));

    assertThat(vault.resolve(REF, SecretUse.tool("acme", "orders_get")).reveal())
        .isEqualTo("second-value-2222");
    sql("UPDATE vault_secrets SET scopes = 'acme' WHERE version = 2");
    assertThatThrownBy(() -> vault.rotate("acme-token", bytes("third-value-3333")))
        .hasMessage(
            "the scopes of acme-token version 2 were changed outside the vault; nothing was stored");
  }

  @Test
  void aSecretSealedBeforeScopesWereBoundStaysReadableAndIsBoundOnceResealed() throws Exception {
    EnvelopeCipher cipher = EnvelopeCipher.fromKeyset(masterKey);
    EnvelopeCipher.Sealed legacy = cipher.sealUnbound("acme-token", 1, bytes(VALUE));
    try (Connection c = db.dataSource().getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO vault_secrets (name, version, scopes, wrapped_key, ciphertext, created_at, seal_format)"
                    + " VALUES ('acme-token', 1, 'acme', ?, ?, '2026-01-01T00:00:00Z', 1)")) {
      ps.setBytes(1, legacy.wrappedKey());
      ps.setBytes(2, legacy.ciphertext());
      ps.executeUpdate();
    }
    assertThat(vault.resolve(REF, SecretUse.connector("acme")).reveal())
        .as("readable as stored")
        .isEqualTo(VALUE);

    assertThat(vault.resealUnbound()).isEqualTo(1);

    assertThat(vault.resolve(REF, SecretUse.connector("acme")).reveal()).isEqualTo(VALUE);
    sql("UPDATE vault_secrets SET scopes = 'acme,crm' WHERE name = 'acme-token'");
    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.connector("crm")))
        .hasMessage("secret vault:acme-token version 1 does not open with this master key");
    sql("UPDATE vault_secrets SET scopes = 'acme,crm', seal_format = 1 WHERE name = 'acme-token'");
    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.connector("crm")))
        .as("a bound row marked unbound again does not open either")
        .hasMessage("secret vault:acme-token version 1 does not open with this master key");
  }

  @Test
  void anotherMasterKeyCannotOpenIt() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));
    Vault stranger =
        new Vault(
            new JdbcSecretStore(db.dataSource()),
            Optional.of(EnvelopeCipher.fromKeyset(EnvelopeCipher.newMasterKeyset())),
            Clock.systemUTC());

    assertThatThrownBy(() -> stranger.resolve(REF, SecretUse.connector("acme")))
        .hasMessageContaining("does not open with this master key");
  }

  @Test
  void withoutAMasterKeyItListsButNeitherStoresNorResolves() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));
    Vault keyless =
        new Vault(new JdbcSecretStore(db.dataSource()), Optional.empty(), Clock.systemUTC());

    assertThat(keyless.list()).hasSize(1);
    assertThatThrownBy(() -> keyless.rotate("acme-token", bytes("x")))
        .hasMessageStartingWith("no master key");
    assertThatThrownBy(() -> keyless.resolve(REF, SecretUse.connector("acme")))
        .hasMessageContaining("no master key is configured");
  }

  @Test
  void refusesBadRequests() throws Exception {
    assertThatThrownBy(() -> vault.put("Bad Name", bytes(VALUE), Set.of("acme")))
        .hasMessageContaining("not a secret name");
    assertThatThrownBy(() -> vault.put("acme-token", bytes(VALUE), Set.of()))
        .hasMessageContaining("--scope");
    assertThatThrownBy(() -> vault.put("acme-token", new byte[0], Set.of("acme")))
        .hasMessageContaining("is empty");
    assertThatThrownBy(() -> vault.put("acme-token", bytes(VALUE), Set.of("acme/")))
        .hasMessageContaining("acme/orders_refund");
    assertThatThrownBy(() -> vault.put("acme-token", bytes(VALUE), Set.of("Acme Corp")))
        .hasMessageContaining("must be a connector");
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));
    assertThatThrownBy(() -> vault.put("acme-token", bytes(VALUE), Set.of("acme")))
        .hasMessageContaining("vault rotate");
    assertThatThrownBy(() -> vault.rotate("nope", bytes(VALUE))).hasMessageContaining("vault put");
    assertThatThrownBy(() -> vault.revoke("nope", null))
        .hasMessageContaining("no active version of nope");
  }
}
