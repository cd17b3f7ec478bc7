package dev.portcullis.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.testing.TestClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a local HTTP server that honours HashiCorp Vault's KV v2 read API: GET
 * /v1/{mount}/data/{path} with X-Vault-Token, answering data.data and data.metadata.version, 403
 * for a bad token, 404 for an unknown path, null data for a deleted version.
 */
class HashiCorpKvTest {
  private static final String VAULT_TOKEN = "hvs.test-token-abc";

  @TempDir Path data;
  private HttpServer vault;
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final Map<String, Integer> versions = new ConcurrentHashMap<>();
  private final List<String> seenNamespaces = new CopyOnWriteArrayList<>();

  /** Older versions' values by "name@version"; an empty value is a deleted version. */
  private final Map<String, String> history = new ConcurrentHashMap<>();

  private final List<String> olderReads = new CopyOnWriteArrayList<>();
  private final List<String> failingOlderVersions = new CopyOnWriteArrayList<>();
  private final TestClock clock = new TestClock();

  @BeforeEach
  void start() throws Exception {
    vault = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    vault.createContext(
        "/v1/",
        ex -> {
          String ns = ex.getRequestHeaders().getFirst("X-Vault-Namespace");
          if (ns != null) {
            seenNamespaces.add(ns);
          }
          String path = ex.getRequestURI().getPath();
          int status;
          String body;
          if (!VAULT_TOKEN.equals(ex.getRequestHeaders().getFirst("X-Vault-Token"))) {
            status = 403;
            body = "{\"errors\":[\"permission denied\"]}";
          } else if (!path.startsWith("/v1/secret/data/")
              || !versions.containsKey(path.substring(16))) {
            status = 404;
            body = "{\"errors\":[]}";
          } else {
            String name = path.substring(16);
            String query = ex.getRequestURI().getQuery();
            int version =
                query == null
                    ? versions.get(name)
                    : Integer.parseInt(query.substring("version=".length()));
            if (query != null) {
              olderReads.add(name + "@" + version);
            }
            String value =
                query == null ? secrets.get(name) : history.getOrDefault(name + "@" + version, "");
            if (failingOlderVersions.contains(name) && query != null) {
              status = 500;
              body = "{\"errors\":[\"internal error\"]}";
            } else if (version > versions.get(name) || version < 1) {
              status = 404;
              body = "{\"errors\":[]}";
            } else {
              status = 200;
              body =
                  "{\"data\":{\"data\":"
                      + (value == null || value.isEmpty()
                          ? "null"
                          : "{\"value\":\"" + value + "\",\"user\":\"svc\"}")
                      + ",\"metadata\":{\"version\":"
                      + version
                      + ",\"deletion_time\":\"\"}}}";
            }
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(status, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    vault.start();
  }

  @AfterEach
  void stop() {
    vault.stop(0);
  }

  private HashiCorpKv backend(String token) {
    return new HashiCorpKv(
        URI.create("http://127.0.0.1:" + vault.getAddress().getPort()),
        "secret",
        SecretRef.parse("env:VAULT_TOKEN"),
        "team-a",
        new SecretSources(Map.of("VAULT_TOKEN", token), data),
        clock);
  }

  /** Writes {@code values} as versions 1, 2, ... of {@code name}; null is a deleted version. */
  private void versionsOf(String name, String... values) {
    for (int v = 1; v <= values.length; v++) {
      history.put(name + "@" + v, values[v - 1] == null ? "" : values[v - 1]);
    }
    secrets.put(name, values[values.length - 1]);
    versions.put(name, values.length);
  }

  @Test
  void anUpstreamsEchoOfAnOlderLiveVersionIsMaskedButOnlyTheLatestIsUsed() throws Exception {
    versionsOf("crm/api", "first-value", "second-value", "third-value");

    Secret s =
        backend(VAULT_TOKEN).resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm"));

    assertThat(s.reveal()).isEqualTo("third-value");
    assertThat(s.version()).isEqualTo(3);
    assertThat(s.maskIn("old FIRST-VALUE, older second-value, now third-value"))
        .doesNotContain("FIRST-VALUE", "second-value", "third-value");
  }

  @Test
  void eachOlderVersionIsReadFromVaultOnceAndOnlyTheLastNine() throws Exception {
    String[] values = new String[12];
    for (int i = 0; i < values.length; i++) {
      values[i] = "value-" + (i + 1);
    }
    versionsOf("crm/api", values);
    HashiCorpKv kv = backend(VAULT_TOKEN);

    Secret first = kv.resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm"));
    kv.resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm"));

    assertThat(olderReads)
        .containsExactly(
            "crm/api@11",
            "crm/api@10",
            "crm/api@9",
            "crm/api@8",
            "crm/api@7",
            "crm/api@6",
            "crm/api@5",
            "crm/api@4",
            "crm/api@3");
    assertThat(first.maskIn("value-3 value-2")).doesNotContain("value-3").contains("value-2");
  }

  @Test
  void aDeletedOlderVersionIsNotMaskedAndIsAskedAgainAfterAMinute() throws Exception {
    versionsOf("crm/api", null, "second-value");
    HashiCorpKv kv = backend(VAULT_TOKEN);

    kv.resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm"));
    history.put("crm/api@1", "undeleted-value");
    Secret within = kv.resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm"));
    clock.advance(HashiCorpKv.ABSENT_RECHECK);
    Secret after = kv.resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm"));

    assertThat(olderReads).containsExactly("crm/api@1", "crm/api@1");
    assertThat(within.maskIn("undeleted-value")).isEqualTo("undeleted-value");
    assertThat(after.maskIn("undeleted-value")).doesNotContain("undeleted-value");
  }

  @Test
  void anOlderVersionVaultCannotServeFailsTheCallWithoutShowingTheToken() {
    versionsOf("crm/api", "first-value", "second-value");
    failingOlderVersions.add("crm/api");

    assertThatThrownBy(
            () ->
                backend(VAULT_TOKEN)
                    .resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm")))
        .isInstanceOf(SecretResolver.SecretUnavailableException.class)
        .hasMessageContaining("version 1: HashiCorp Vault answered 500")
        .hasMessageNotContaining(VAULT_TOKEN)
        .hasMessageNotContaining("first-value");
  }

  @Test
  void readsTheLatestVersionOnEveryCall() throws Exception {
    secrets.put("crm/api", "first-value");
    versions.put("crm/api", 1);
    SecretSources sources =
        new SecretSources(Map.of(), data, java.util.Optional.of(backend(VAULT_TOKEN)));

    Secret v1 = sources.resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm"));
    secrets.put("crm/api", "second-value");
    versions.put("crm/api", 2);
    Secret v2 = sources.resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm"));

    assertThat(v1.reveal()).isEqualTo("first-value");
    assertThat(v2.reveal()).isEqualTo("second-value");
    assertThat(v2.version()).isEqualTo(2);
    assertThat(
            sources
                .resolve(SecretRef.parse("vault:crm/api#user"), SecretUse.connector("crm"))
                .reveal())
        .isEqualTo("svc");
    assertThat(seenNamespaces).contains("team-a");
  }

  @Test
  void refusalsAreTypedAndNeverShowTheToken() {
    secrets.put("crm/api", "value");
    versions.put("crm/api", 1);
    versions.put("crm/deleted", 3);

    assertThatThrownBy(
            () ->
                backend("wrong-token")
                    .resolve(SecretRef.parse("vault:crm/api"), SecretUse.connector("crm")))
        .hasMessageContaining("refused the token (403)")
        .hasMessageNotContaining("wrong-token");
    assertThatThrownBy(
            () ->
                backend(VAULT_TOKEN)
                    .resolve(SecretRef.parse("vault:crm/none"), SecretUse.connector("crm")))
        .hasMessageContaining("no such secret");
    assertThatThrownBy(
            () ->
                backend(VAULT_TOKEN)
                    .resolve(SecretRef.parse("vault:crm/deleted"), SecretUse.connector("crm")))
        .hasMessageContaining("deleted or destroyed");
    assertThatThrownBy(
            () ->
                backend(VAULT_TOKEN)
                    .resolve(SecretRef.parse("vault:crm/api#nope"), SecretUse.connector("crm")))
        .hasMessageContaining("no 'nope' field");
  }
}
