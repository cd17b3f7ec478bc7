package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Postgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two gateway nodes, each with its own data directory and its own Acme, on one PostgreSQL store: a
 * call made on one is known to the other, an idempotency key taken on one is held on the other (the
 * retry is answered from the ledger and reaches no upstream), and the one chain they wrote verifies
 * with {@code audit verify --store}.
 */
class SharedStoreGatewayTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SUPPORT = GatewayFixture.SUPPORT_KEY;
  private static final String TICKET =
      "{\"arguments\":{\"customerId\":\"C-1001\",\"subject\":\"Parcel lost\",\"body\":\"Please help\",\"priority\":\"normal\"}}";

  @TempDir Path dir;

  @Test
  void twoNodesOnOneDatabaseShareTheirCallsTheirKeysAndOneChain() throws Exception {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    Path config =
        GatewayFixture.demoConfigWith(
            Files.createDirectories(dir.resolve("config")),
            "store:\n  type: postgres\n  url: " + db.url() + "\n  user: " + db.user() + "\n");

    try (GatewayFixture a = GatewayFixture.start(dir.resolve("node-a"), config, Map.of());
        GatewayFixture b = GatewayFixture.start(dir.resolve("node-b"), config, Map.of())) {
      String key = UUID.randomUUID().toString();
      HttpResponse<String> first =
          a.invoke("tickets_create", SUPPORT, TICKET, "Idempotency-Key", key);
      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      String id = json(first.body()).path("invocationId").asString();

      HttpResponse<String> retry =
          b.invoke("tickets_create", SUPPORT, TICKET, "Idempotency-Key", key);

      assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
      assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
      assertThat(retry.headers().firstValue("X-Invocation-Id")).contains(id);
      assertThat(a.acme().requestLog()).hasSize(1);
      assertThat(b.acme().requestLog()).as("the retry on the other node ran nothing").isEmpty();

      HttpResponse<String> seen = b.get("/v1/invocations/" + id, SUPPORT);
      assertThat(seen.statusCode()).as(seen.body()).isEqualTo(200);
      assertThat(json(seen.body()).path("state").asString()).isEqualTo("completed");

      HttpResponse<String> read =
          b.invoke("crm_get_customer", SUPPORT, "{\"arguments\":{\"customerId\":\"C-1001\"}}");
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    }
    assertThat(Files.exists(dir.resolve("node-a/portcullis.db")))
        .as("no SQLite file is made beside a PostgreSQL store")
        .isFalse();

    CliRun verify = CliRun.of("audit", "verify", "--store", db.url(), "--store-user", db.user());
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("audit chain intact").contains(db.url());
  }

  private static JsonNode json(String body) {
    return JSON.readTree(body);
  }
}
