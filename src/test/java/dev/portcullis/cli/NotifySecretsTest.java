package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.service.notify.SecretLookup;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcSecretStore;
import dev.portcullis.vault.EnvelopeCipher;
import dev.portcullis.vault.SecretSources;
import dev.portcullis.vault.Vault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notification channels' secrets resolve from the real vault under the scope {@code
 * approvals[/CHANNEL]}.
 */
class NotifySecretsTest {
  private static final String TOKEN = "xoxb-scoped-0123456789-not-for-anyone";

  @TempDir Path dir;
  private EmbeddedDatabase db;
  private SecretLookup lookup;

  @BeforeEach
  void open() throws Exception {
    db = EmbeddedDatabase.open(dir);
    Vault vault =
        new Vault(
            new JdbcSecretStore(db.dataSource()),
            Optional.of(EnvelopeCipher.fromKeyset(EnvelopeCipher.newMasterKeyset())),
            Clock.systemUTC());
    vault.put("every-channel", TOKEN.getBytes(StandardCharsets.UTF_8), Set.of("approvals"));
    vault.put("slack-only", TOKEN.getBytes(StandardCharsets.UTF_8), Set.of("approvals/ops-slack"));
    vault.put("connector-secret", TOKEN.getBytes(StandardCharsets.UTF_8), Set.of("acme"));
    lookup = Assembly.notifySecrets(new SecretSources(Map.of(), dir, Optional.of(vault)));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aSecretScopedToApprovalsServesEveryChannel() throws Exception {
    assertThat(lookup.resolve("ops-hook", "vault:every-channel").reveal()).isEqualTo(TOKEN);
    assertThat(lookup.resolve("ops-slack", "vault:every-channel").reveal()).isEqualTo(TOKEN);
  }

  @Test
  void aSecretScopedToOneChannelServesThatChannelOnly() throws Exception {
    assertThat(lookup.resolve("ops-slack", "vault:slack-only").reveal()).isEqualTo(TOKEN);

    SecretLookup.Unavailable e =
        catchThrowableOfType(
            SecretLookup.Unavailable.class, () -> lookup.resolve("ops-hook", "vault:slack-only"));

    assertThat(e.getMessage())
        .contains("vault:slack-only", "approvals/ops-hook")
        .doesNotContain(TOKEN);
  }

  @Test
  void aConnectorsSecretIsNotANotificationChannels() {
    SecretLookup.Unavailable e =
        catchThrowableOfType(
            SecretLookup.Unavailable.class,
            () -> lookup.resolve("ops-hook", "vault:connector-secret"));

    assertThat(e.getMessage()).contains("not scoped").doesNotContain(TOKEN);
  }
}
