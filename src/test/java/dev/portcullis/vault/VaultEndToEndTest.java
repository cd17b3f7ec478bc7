package dev.portcullis.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Acme credential in the vault: stored, rotated and revoked with the real command line while a
 * real gateway runs on the same data directory; each change takes effect on the next call.
 */
class VaultEndToEndTest {
  private static final String READ = "{\"arguments\":{\"customerId\":\"C-1001\"}}";

  @TempDir Path dir;

  private CliRun vault(Path data, Path key, String... args) {
    String[] all = new String[args.length + 5];
    all[0] = "vault";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--data";
    all[args.length + 2] = data.toString();
    all[args.length + 3] = "--master-key-file";
    all[args.length + 4] = key.toString();
    return CliRun.of(all);
  }

  @Test
  void rotationAndRevocationReachARunningGatewayWithoutARestart() throws Exception {
    Path data = dir.resolve("data");
    Path key = dir.resolve("keys/master.json");
    Files.createDirectories(key.getParent());
    assertThat(CliRun.of("vault", "init-key", "--out", key.toString()).exitCode()).isZero();
    Path token = dir.resolve("token.txt");
    Files.writeString(token, GatewayFixture.ACME_TOKEN + "\n", StandardCharsets.UTF_8);
    Path wrong = dir.resolve("wrong.txt");
    Files.writeString(wrong, "not-the-acme-token", StandardCharsets.UTF_8);

    CliRun put =
        vault(
            data, key, "put", "acme-api-token", "--scope", "acme", "--from-file", token.toString());
    assertThat(put.exitCode()).as(put.err()).isZero();
    assertThat(put.out())
        .isEqualTo(
            "stored acme-api-token version 1 (scope: acme); reference it as vault:acme-api-token\n");

    Path config = dir.resolve("portcullis.yaml");
    Files.writeString(
        config,
        Files.readString(Path.of("examples/demo/portcullis.yaml"))
            .replace("\"file:secrets/acme-api-token\"", "\"vault:acme-api-token\"")
            .replace("policies/", Path.of("examples/demo/policies").toAbsolutePath() + "/"));
    try (GatewayFixture gateway =
        GatewayFixture.start(data, config, Map.of("PORTCULLIS_MASTER_KEY_FILE", key.toString()))) {
      assertThat(gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, READ).statusCode())
          .isEqualTo(200);
      java.util.List<dev.portcullis.audit.AuditRecord> records = new java.util.ArrayList<>();
      gateway.assembly().auditLog().scan(records::add);
      assertThat(records.getLast().entry().credential())
          .as("the audit names the secret and version used, never the value")
          .isEqualTo("{\"ref\":\"vault:acme-api-token\",\"version\":1}");

      assertThat(
              vault(data, key, "rotate", "acme-api-token", "--from-file", wrong.toString())
                  .exitCode())
          .isZero();
      HttpResponse<String> refused =
          gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, READ);
      assertThat(refused.statusCode()).isEqualTo(502);
      assertThat(refused.body()).contains("upstream-rejected").doesNotContain("not-the-acme-token");

      assertThat(vault(data, key, "revoke", "acme-api-token", "--version", "2").out())
          .isEqualTo("revoked 1 version of acme-api-token\n");
      assertThat(gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, READ).statusCode())
          .isEqualTo(200);

      vault(data, key, "revoke", "acme-api-token");
      HttpResponse<String> none =
          gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, READ);
      assertThat(none.statusCode()).isEqualTo(503);
      assertThat(none.body())
          .contains("connector-unavailable")
          .doesNotContain("acme-api-token version");
    }
    CliRun list = vault(data, key, "list");
    assertThat(list.out())
        .contains("acme-api-token")
        .contains("revoked")
        .doesNotContain(GatewayFixture.ACME_TOKEN);
  }

  @Test
  void aSecretScopedToOneToolServesThatToolAndNoOtherOnTheSameConnector() throws Exception {
    Path data = dir.resolve("data");
    Path key = dir.resolve("keys/master.json");
    Files.createDirectories(key.getParent());
    assertThat(CliRun.of("vault", "init-key", "--out", key.toString()).exitCode()).isZero();
    Path token = dir.resolve("token.txt");
    Files.writeString(token, GatewayFixture.ACME_TOKEN + "\n", StandardCharsets.UTF_8);
    CliRun put =
        vault(
            data,
            key,
            "put",
            "acme-api-token",
            "--scope",
            "acme/crm_get_customer",
            "--from-file",
            token.toString());
    assertThat(put.exitCode()).as(put.err()).isZero();
    Path config = dir.resolve("portcullis.yaml");
    Files.writeString(
        config,
        Files.readString(Path.of("examples/demo/portcullis.yaml"))
            .replace("\"file:secrets/acme-api-token\"", "\"vault:acme-api-token\"")
            .replace("policies/", Path.of("examples/demo/policies").toAbsolutePath() + "/"));

    try (GatewayFixture gateway =
        GatewayFixture.start(data, config, Map.of("PORTCULLIS_MASTER_KEY_FILE", key.toString()))) {
      HttpResponse<String> allowed =
          gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, READ);
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
      assertThat(gateway.acme().requestLog()).containsExactly("GET /api/customers/C-1001");
      java.util.List<dev.portcullis.audit.AuditRecord> records = new java.util.ArrayList<>();
      gateway.assembly().auditLog().scan(records::add);
      assertThat(records.getLast().entry().toolName()).isEqualTo("crm_get_customer");
      assertThat(records.getLast().entry().credential())
          .isEqualTo("{\"ref\":\"vault:acme-api-token\",\"version\":1}");

      gateway.acme().clearRequestLog();
      HttpResponse<String> refused =
          gateway.invoke("orders_list_for_customer", GatewayFixture.SUPPORT_KEY, READ);

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body())
          .contains("connector-unavailable")
          .contains("the credential for connector acme is unavailable")
          .doesNotContain(GatewayFixture.ACME_TOKEN)
          .doesNotContain("not scoped");
      assertThat(gateway.acme().requestLog()).as("the refused call never reached Acme").isEmpty();
      records.clear();
      gateway.assembly().auditLog().scan(records::add);
      assertThat(records.getLast().entry())
          .satisfies(
              e -> {
                assertThat(e.toolName()).isEqualTo("orders_list_for_customer");
                assertThat(e.state()).isEqualTo("FAILED");
                assertThat(e.errorKind()).isEqualTo("credential_unavailable");
                assertThat(e.credential()).as("no credential was used").isNull();
              });
    }
  }

  @Test
  void editingTheVaultsRowsNeitherUndoesARevocationNorWidensAScope() throws Exception {
    Path data = dir.resolve("data");
    Path key = dir.resolve("keys/master.json");
    Files.createDirectories(key.getParent());
    assertThat(CliRun.of("vault", "init-key", "--out", key.toString()).exitCode()).isZero();
    Path token = dir.resolve("token.txt");
    Files.writeString(token, GatewayFixture.ACME_TOKEN + "\n", StandardCharsets.UTF_8);
    assertThat(
            vault(
                    data,
                    key,
                    "put",
                    "acme-api-token",
                    "--scope",
                    "acme/crm_get_customer",
                    "--from-file",
                    token.toString())
                .exitCode())
        .isZero();
    Files.writeString(token, "acme-revoked-token-must-never-be-sent\n", StandardCharsets.UTF_8);
    assertThat(
            vault(data, key, "rotate", "acme-api-token", "--from-file", token.toString())
                .exitCode())
        .isZero();
    assertThat(vault(data, key, "revoke", "acme-api-token", "--version", "2").exitCode()).isZero();
    Path config = dir.resolve("portcullis.yaml");
    Files.writeString(
        config,
        Files.readString(Path.of("examples/demo/portcullis.yaml"))
            .replace("\"file:secrets/acme-api-token\"", "\"vault:acme-api-token\"")
            .replace("policies/", Path.of("examples/demo/policies").toAbsolutePath() + "/"));

    try (GatewayFixture gateway =
        GatewayFixture.start(data, config, Map.of("PORTCULLIS_MASTER_KEY_FILE", key.toString()))) {
      // someone with write access to the database un-revokes version 2
      sql(data, "UPDATE vault_secrets SET revoked_at = NULL WHERE version = 2");
      HttpResponse<String> unrevoked =
          gateway.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, READ);

      assertThat(unrevoked.statusCode()).as(unrevoked.body()).isEqualTo(503);
      assertThat(unrevoked.body())
          .contains("connector-unavailable")
          .doesNotContain("acme-revoked-token");
      assertThat(gateway.acme().requestLog())
          .as("nothing was sent with the un-revoked version")
          .isEmpty();

      // and, version 2 revoked again, widens version 1 from one tool to the whole connector
      sql(data, "UPDATE vault_secrets SET revoked_at = '2026-12-07T00:00:00Z' WHERE version = 2");
      sql(data, "UPDATE vault_secrets SET scopes = 'acme' WHERE version = 1");
      for (String tool : java.util.List.of("orders_list_for_customer", "crm_get_customer")) {
        HttpResponse<String> refused = gateway.invoke(tool, GatewayFixture.SUPPORT_KEY, READ);

        assertThat(refused.statusCode()).as(tool + ": " + refused.body()).isEqualTo(503);
        assertThat(refused.body())
            .contains("connector-unavailable")
            .doesNotContain(GatewayFixture.ACME_TOKEN);
      }
      assertThat(gateway.acme().requestLog())
          .as("nothing was sent with the widened secret")
          .isEmpty();
    }
  }

  private static void sql(Path data, String statement) throws java.sql.SQLException {
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("portcullis.db"));
        java.sql.Statement st = c.createStatement()) {
      assertThat(st.executeUpdate(statement)).as(statement).isEqualTo(1);
    }
  }

  @Test
  void refusesAMasterKeyKeptInsideTheDataDirectory() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Path key = data.resolve("master.json");
    CliRun.of("vault", "init-key", "--out", key.toString());

    CliRun run = vault(data, key, "list");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("is inside the data directory");
  }

  @Test
  void neverOverwritesAMasterKey() throws Exception {
    Path key = dir.resolve("master.json");
    CliRun.of("vault", "init-key", "--out", key.toString());
    String before = Files.readString(key);

    CliRun again = CliRun.of("vault", "init-key", "--out", key.toString());

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("is never overwritten");
    assertThat(Files.readString(key)).isEqualTo(before);
  }
}
