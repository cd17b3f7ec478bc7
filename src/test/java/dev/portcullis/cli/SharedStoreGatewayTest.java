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

  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"damaged\"}}";

  @TempDir Path dir;

  private Path sharedConfig(PostgresDatabase.Settings db) throws Exception {
    return GatewayFixture.demoConfigWith(
        Files.createDirectories(dir.resolve("config")),
        "store:\n  type: postgres\n  url: " + db.url() + "\n  user: " + db.user() + "\n");
  }

  @Test
  void aCallParkedOnOneNodeAndApprovedOnAnotherRunsOnceThereAndIsDoneOnBoth() throws Exception {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    Path config = sharedConfig(db);
    try (GatewayFixture a = GatewayFixture.start(dir.resolve("node-a"), config, Map.of());
        GatewayFixture b = GatewayFixture.start(dir.resolve("node-b"), config, Map.of())) {
      HttpResponse<String> parked = a.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND);
      assertThat(parked.statusCode()).as(parked.body()).isEqualTo(202);
      String id = json(parked.body()).path("invocationId").asString();
      String approval = json(parked.body()).path("approvalId").asString();

      HttpResponse<String> listed =
          b.get("/v1/approvals?status=pending", GatewayFixture.APPROVER_KEY);
      assertThat(json(listed.body()).path("approvals").size()).as(listed.body()).isEqualTo(1);
      HttpResponse<String> approved = b.approve(approval, GatewayFixture.APPROVER_KEY, "{}");
      HttpResponse<String> again = a.approve(approval, GatewayFixture.SECOND_APPROVER_KEY, "{}");

      assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
      assertThat(json(approved.body()).path("state").asString()).isEqualTo("completed");
      assertThat(again.statusCode()).as("decided already, on the other node").isEqualTo(409);
      assertThat(b.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
      assertThat(a.acme().requestLog()).as("the parking node ran nothing").isEmpty();
      HttpResponse<String> seen = a.get("/v1/invocations/" + id, GatewayFixture.BILLING_KEY);
      assertThat(json(seen.body()).path("state").asString()).isEqualTo("completed");
    }
  }

  @Test
  void twoNodesOnOneDatabaseShareTheirCallsTheirKeysAndOneChain() throws Exception {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    Path config = sharedConfig(db);

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

  @Test
  void verifyingAStoreThatCannotBeReachedExitsTwoNamingIt() {
    CliRun run =
        CliRun.of(
            "audit",
            "verify",
            "--store",
            "jdbc:postgresql://127.0.0.1:1/portcullis?connectTimeout=2",
            "--store-user",
            "gw");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "cannot connect to the PostgreSQL store at jdbc:postgresql://127.0.0.1:1/portcullis")
        .contains("check the url, user and password");
  }

  private static JsonNode json(String body) {
    return JSON.readTree(body);
  }
}
