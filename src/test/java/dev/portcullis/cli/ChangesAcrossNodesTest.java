package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.config.PolicyReloader;
import dev.portcullis.config.PolicySharing;
import dev.portcullis.policy.PolicyBundles;
import dev.portcullis.store.JdbcPolicyBundles;
import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Postgres;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What one node changes reaches every node sharing the store within the documented bound (2 s,
 * docs/several-nodes.md): a policy edited in one node's files is in force on the other; a bundle
 * that does not load on a node leaves its policy in force; a node starting with superseded files
 * follows the newest; an MCP call parked on one node answers as soon as another approves it; and
 * all of it still holds while the nodes' listening connections are down (polling), which then
 * reconnect. Awaits allow the bound plus a margin; they never measure speed.
 */
class ChangesAcrossNodesTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The documented bound, with a margin for a loaded test machine. */
  private static final Duration BOUND = Duration.ofSeconds(2).plusMillis(1_500);

  private static final String READ_CUSTOMER = "{\"arguments\":{\"customerId\":\"C-1001\"}}";
  private static final String NO_CRM =
      """
      apiVersion: portcullis.dev/v1alpha1
      kind: PolicySet
      rules:
        - id: no-crm-reads
          description: Nobody reads the CRM today.
          effect: forbid
          target:
            tools: [crm_get_customer]
      """;

  @TempDir Path dir;

  private Path config(String node, PostgresDatabase.Settings db) throws IOException {
    return GatewayFixture.demoConfigWith(
        Files.createDirectories(dir.resolve("config-" + node)),
        "store:\n  type: postgres\n  url: " + db.url() + "\n  user: " + db.user() + "\n");
  }

  @Test
  void aPolicyEditedInOneNodesFilesIsInForceOnTheOtherWithinTheBound() throws Exception {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    Path configA = config("a", db);
    try (GatewayFixture a = GatewayFixture.start(dir.resolve("node-a"), configA, Map.of());
        GatewayFixture b = GatewayFixture.start(dir.resolve("node-b"), config("b", db), Map.of())) {
      assertThat(read(b).statusCode()).isEqualTo(200);
      String before = sharing(b).inForce();

      Files.writeString(configA.resolveSibling("policies/zz-no-crm.yaml"), NO_CRM);
      assertThat(a.assembly().policyReloader().reloadIfChanged())
          .isEqualTo(PolicyReloader.Result.RELOADED);

      awaitWithin(BOUND, () -> read(b).statusCode() == 403);
      String after = sharing(a).inForce();
      assertThat(sharing(b).inForce()).isNotEqualTo(before).isEqualTo(after);
      // each node's lease row names the policy it runs, from its next renewal (every 3 s)
      awaitWithin(Duration.ofSeconds(5), () -> nodesRunning(db).equals(List.of(after, after)));
    }
  }

  /** The policy versions the nodes' lease rows name. */
  private static List<String> nodesRunning(PostgresDatabase.Settings db) {
    try (Connection c = Postgres.superuser(db);
        PreparedStatement ps =
            c.prepareStatement("SELECT policy_version FROM gateway_nodes ORDER BY node");
        ResultSet rs = ps.executeQuery()) {
      List<String> versions = new java.util.ArrayList<>();
      while (rs.next()) {
        versions.add(rs.getString(1));
      }
      return versions;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aBundleThatDoesNotLoadOnANodeLeavesItsPolicyInForce() throws Exception {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    try (GatewayFixture b = GatewayFixture.start(dir.resolve("node-b"), config("b", db), Map.of());
        PostgresDatabase store = PostgresDatabase.open(db)) {
      String before = sharing(b).inForce();
      PolicyBundles bundles = new JdbcPolicyBundles(store, JSON);
      List<PolicyBundles.File> unknownTool =
          List.of(
              new PolicyBundles.File("broken.yaml", NO_CRM.replace("crm_get_customer", "nope")));
      bundles.publish(
          dev.portcullis.config.PolicyLoader.version(unknownTool),
          unknownTool,
          "node-x",
          Instant.now());
      List<PolicyBundles.File> forged = List.of(new PolicyBundles.File("no-crm.yaml", NO_CRM));
      bundles.publish("sha256:" + "0".repeat(64), forged, "node-x", Instant.now());

      sharing(b).follow();

      assertThat(sharing(b).inForce()).isEqualTo(before);
      assertThat(read(b).statusCode()).as("the policy in force stays").isEqualTo(200);
    }
  }

  @Test
  void aNodeStartingWithSupersededFilesFollowsTheNewestAndOneWithTheNewestPublishesNothing()
      throws Exception {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    Path configA = config("a", db);
    try (GatewayFixture a = GatewayFixture.start(dir.resolve("node-a"), configA, Map.of())) {
      String first = sharing(a).inForce();
      Files.writeString(configA.resolveSibling("policies/zz-no-crm.yaml"), NO_CRM);
      a.assembly().policyReloader().reloadIfChanged();
      String second = sharing(a).inForce();
      assertThat(second).isNotEqualTo(first);

      try (GatewayFixture stale =
          GatewayFixture.start(dir.resolve("node-c"), config("c", db), Map.of())) {
        assertThat(sharing(stale).inForce()).as("followed, not published").isEqualTo(second);
        assertThat(read(stale).statusCode()).isEqualTo(403);
      }
      Path configD = config("d", db);
      Files.writeString(configD.resolveSibling("policies/zz-no-crm.yaml"), NO_CRM);
      try (GatewayFixture same = GatewayFixture.start(dir.resolve("node-d"), configD, Map.of())) {
        assertThat(sharing(same).inForce()).isEqualTo(second);
      }
      try (PostgresDatabase store = PostgresDatabase.open(db)) {
        PolicyBundles bundles = new JdbcPolicyBundles(store, JSON);
        assertThat(bundles.newest().orElseThrow().seq()).as("two publications").isEqualTo(2);
        assertThat(bundles.newest().orElseThrow().version()).isEqualTo(second);
      }
    }
  }

  @Test
  void anMcpCallParkedOnOneNodeAnswersOnceAnotherApprovesIt() throws Exception {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    try (GatewayFixture a = GatewayFixture.start(dir.resolve("node-a"), config("a", db), Map.of());
        GatewayFixture b = GatewayFixture.start(dir.resolve("node-b"), config("b", db), Map.of())) {
      Postgres.awaitListening(db, 2);
      assertParkedOnAnswersWhenApprovedOn(a, b);
    }
  }

  @Test
  void withTheListeningConnectionsKilledPollingDeliversWithinTheBoundAndTheyReconnect()
      throws Exception {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    Path configA = config("a", db);
    try (GatewayFixture a = GatewayFixture.start(dir.resolve("node-a"), configA, Map.of());
        GatewayFixture b = GatewayFixture.start(dir.resolve("node-b"), config("b", db), Map.of())) {
      Postgres.awaitListening(db, 2);

      assertThat(Postgres.terminateListeners(db)).isEqualTo(2);
      Files.writeString(configA.resolveSibling("policies/zz-no-crm.yaml"), NO_CRM);
      a.assembly().policyReloader().reloadIfChanged();

      awaitWithin(BOUND, () -> read(b).statusCode() == 403);
      Postgres.awaitListening(db, 2);
      assertParkedOnAnswersWhenApprovedOn(b, a);
    }
  }

  /**
   * An MCP refund parked on {@code parking}, approved over REST on {@code approving}: the MCP call
   * answers with the completed refund within the bound (it waits up to approvals.mcpWait, 15 s).
   */
  private static void assertParkedOnAnswersWhenApprovedOn(
      GatewayFixture parking, GatewayFixture approving) throws Exception {
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      String session = mcpSession(http, parking);
      CompletableFuture<HttpResponse<String>> call =
          http.sendAsync(
              mcp(parking, session)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                              + "{\"name\":\"orders_refund\",\"arguments\":{\"orderId\":\"O-5001\","
                              + "\"amount\":120,\"reason\":\"damaged\"}}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      String approval = pendingApproval(approving);
      HttpResponse<String> approved = approveOnceParked(approving, approval);
      assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);

      HttpResponse<String> answered = call.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(answered.statusCode()).isEqualTo(200);
      assertThat(answered.body()).contains("O-5001").doesNotContain("awaiting approval");
      assertThat(approving.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
    }
  }

  private static String mcpSession(HttpClient http, GatewayFixture node) throws Exception {
    HttpResponse<String> init =
        http.send(
            mcp(node, null)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                            + "\"clientInfo\":{\"name\":\"waiter\",\"version\":\"0\"}}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
    return init.headers().firstValue("Mcp-Session-Id").orElseThrow();
  }

  private static HttpRequest.Builder mcp(GatewayFixture node, String session) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(node.baseUri().resolve("/mcp"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + GatewayFixture.BILLING_KEY)
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json");
    return session == null ? b : b.header("Mcp-Session-Id", session);
  }

  /** The one pending approval request, once the call is parked (at most 10 s). */
  private static String pendingApproval(GatewayFixture node) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      JsonNode listed =
          JSON.readTree(
                  node.get("/v1/approvals?status=pending", GatewayFixture.APPROVER_KEY).body())
              .path("approvals");
      if (listed.size() == 1) {
        return listed.get(0).path("approvalId").asString();
      }
      assertThat(System.nanoTime() - deadline).as("parked within 10 s").isNegative();
      Thread.sleep(20);
    }
  }

  /** A request listed before its parking record reached the audit log is refused 503: retry. */
  private static HttpResponse<String> approveOnceParked(GatewayFixture node, String approval)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      HttpResponse<String> r = node.approve(approval, GatewayFixture.APPROVER_KEY, "{}");
      if (r.statusCode() != 503 || !r.body().contains("still being parked")) {
        return r;
      }
      assertThat(System.nanoTime() - deadline).as("parked within 10 s").isNegative();
      Thread.sleep(20);
    }
  }

  private static HttpResponse<String> read(GatewayFixture node) {
    return node.invoke("crm_get_customer", GatewayFixture.SUPPORT_KEY, READ_CUSTOMER);
  }

  private static PolicySharing sharing(GatewayFixture node) {
    return node.assembly().policySharing().orElseThrow();
  }

  /** Asserts {@code condition} holds within {@code bound}, looking every 20 ms. */
  private static void awaitWithin(Duration bound, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("within " + bound).isNegative();
      Thread.sleep(20);
    }
  }
}
