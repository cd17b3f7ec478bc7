package dev.portcullis.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  private static final String VALUE = "acme-token-0123456789-very-secret";
  private static final SecretRef REF = SecretRef.parse("vault:acme-token");

  @TempDir Path dir;
  private EmbeddedDatabase db;
  private Vault vault;
  private String masterKey;

  @BeforeEach
  void open() throws Exception {
    db = EmbeddedDatabase.open(dir);
    masterKey = EnvelopeCipher.newMasterKeyset();
    vault = new Vault(new JdbcSecretStore(db.dataSource()), Optional.of(EnvelopeCipher.fromKeyset(masterKey)), Clock.systemUTC());
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static byte[] bytes(String s) {
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
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(VALUE);
      }
    }
    db = EmbeddedDatabase.open(dir);
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

    assertThat(vault.resolve(REF, SecretUse.tool("acme", "orders_refund")).reveal()).isEqualTo(VALUE);
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
    assertThatThrownBy(() -> vault.resolve(REF, SecretUse.connector("acme"))).hasMessage("secret vault:acme-token has no active version");
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
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("UPDATE vault_secrets SET (wrapped_key, ciphertext) = "
          + "(SELECT wrapped_key, ciphertext FROM vault_secrets WHERE name = 'acme-token') WHERE name = 'other-token'");
    }

    assertThatThrownBy(() -> vault.resolve(SecretRef.parse("vault:other-token"), SecretUse.connector("acme")))
        .hasMessage("secret vault:other-token version 1 does not open with this master key");
  }

  @Test
  void anotherMasterKeyCannotOpenIt() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));
    Vault stranger = new Vault(new JdbcSecretStore(db.dataSource()),
        Optional.of(EnvelopeCipher.fromKeyset(EnvelopeCipher.newMasterKeyset())), Clock.systemUTC());

    assertThatThrownBy(() -> stranger.resolve(REF, SecretUse.connector("acme"))).hasMessageContaining("does not open with this master key");
  }

  @Test
  void withoutAMasterKeyItListsButNeitherStoresNorResolves() throws Exception {
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));
    Vault keyless = new Vault(new JdbcSecretStore(db.dataSource()), Optional.empty(), Clock.systemUTC());

    assertThat(keyless.list()).hasSize(1);
    assertThatThrownBy(() -> keyless.rotate("acme-token", bytes("x"))).hasMessageStartingWith("no master key");
    assertThatThrownBy(() -> keyless.resolve(REF, SecretUse.connector("acme"))).hasMessageContaining("no master key is configured");
  }

  @Test
  void refusesBadRequests() throws Exception {
    assertThatThrownBy(() -> vault.put("Bad Name", bytes(VALUE), Set.of("acme"))).hasMessageContaining("not a secret name");
    assertThatThrownBy(() -> vault.put("acme-token", bytes(VALUE), Set.of())).hasMessageContaining("--scope");
    assertThatThrownBy(() -> vault.put("acme-token", new byte[0], Set.of("acme"))).hasMessageContaining("is empty");
    assertThatThrownBy(() -> vault.put("acme-token", bytes(VALUE), Set.of("acme/"))).hasMessageContaining("acme/orders_refund");
    assertThatThrownBy(() -> vault.put("acme-token", bytes(VALUE), Set.of("Acme Corp"))).hasMessageContaining("must be a connector");
    vault.put("acme-token", bytes(VALUE), Set.of("acme"));
    assertThatThrownBy(() -> vault.put("acme-token", bytes(VALUE), Set.of("acme"))).hasMessageContaining("vault rotate");
    assertThatThrownBy(() -> vault.rotate("nope", bytes(VALUE))).hasMessageContaining("vault put");
    assertThatThrownBy(() -> vault.revoke("nope", null)).hasMessageContaining("no active version of nope");
  }
}
