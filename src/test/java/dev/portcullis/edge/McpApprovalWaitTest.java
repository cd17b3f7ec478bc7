package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.testing.GatewayFixture;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an MCP agent sees when its call is parked for approval: the MCP Java SDK client against a
 * real gateway in front of Acme (the demo's refunds over 100 need approval), with {@code
 * approvals.mcpWait} set per test. Approvers act through the real approval API.
 */
class McpApprovalWaitTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Map<String, Object> REFUND =
      Map.of("orderId", "O-5001", "amount", 120, "reason", "parcel damaged");
  private static final String REFUND_CALL = "POST /api/orders/O-5001/refunds";
  private static final String OUTCOME = "portcullis_outcome";

  @TempDir Path data;
  @TempDir Path conf;
  private GatewayFixture gateway;
  private final List<McpSyncClient> clients = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /**
   * Where a call that blocks runs: not the common pool, which on a two-core machine has one thread,
   * the one the SDK client's HTTP responses are completed on.
   */
  private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void close() {
    clients.forEach(McpSyncClient::close);
    if (gateway != null) {
      gateway.close();
    }
    http.close();
    background.close();
  }

  @Test
  void callApprovedDuringTheWaitReturnsTheExecutedResultOnTheSameCall() throws Exception {
    start("20s");
    BlockingQueue<McpSchema.ProgressNotification> progress = new LinkedBlockingQueue<>();
    McpSyncClient billing = connect(GatewayFixture.BILLING_KEY, progress::add);

    CompletableFuture<McpSchema.CallToolResult> call =
        CompletableFuture.supplyAsync(
            () ->
                billing.callTool(
                    new McpSchema.CallToolRequest(
                        "orders_refund", REFUND, Map.of("progressToken", "refund-1"))),
            background);
    McpSchema.ProgressNotification first = progress.poll(30, TimeUnit.SECONDS);
    assertThat(first).as("a progress notification while the call waits").isNotNull();
    String approvalId = onlyPendingApprovalId();
    HttpResponse<String> approved = approveOnceParked(approvalId);
    McpSchema.CallToolResult r = call.get(30, TimeUnit.SECONDS);

    assertThat(first.progressToken()).isEqualTo("refund-1");
    assertThat(first.message()).contains("awaiting approval " + approvalId, "deadline");
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(r.isError()).as(text(r)).isFalse();
    assertThat(structured(r))
        .containsEntry("orderId", "O-5001")
        .containsEntry("status", "issued")
        .containsKey("refundId");
    assertThat(r.meta()).containsKey("portcullis/invocationId");
    assertThat(gateway.acme().requestLog()).containsExactly(REFUND_CALL);
  }

  @Test
  void callUndecidedWithinTheWaitGetsAHandleAndTheToolReturnsTheResultOnceApproved()
      throws Exception {
    start("2s");
    BlockingQueue<McpSchema.ProgressNotification> progress = new LinkedBlockingQueue<>();
    McpSyncClient billing = connect(GatewayFixture.BILLING_KEY, progress::add);

    McpSchema.CallToolResult parked =
        billing.callTool(new McpSchema.CallToolRequest("orders_refund", REFUND, null));
    String invocationId = (String) structured(parked).get("invocationId");
    McpSchema.CallToolResult stillWaiting =
        billing.callTool(
            new McpSchema.CallToolRequest(
                OUTCOME,
                Map.of("invocationId", invocationId, "waitSeconds", 2),
                Map.of("progressToken", 7)));
    HttpResponse<String> approved =
        post(
            "/v1/approvals/" + structured(parked).get("approvalId") + ":approve",
            GatewayFixture.APPROVER_KEY,
            "{}");
    McpSchema.CallToolResult done = outcome(billing, invocationId);
    McpSchema.CallToolResult again = outcome(billing, invocationId);

    assertThat(parked.isError()).isFalse();
    assertThat(structured(parked))
        .containsEntry("status", "awaiting-approval")
        .containsKeys("approvalId", "invocationId");
    assertThat(text(parked)).contains(OUTCOME, invocationId);
    assertThat(stillWaiting.isError()).isFalse();
    assertThat(structured(stillWaiting)).containsEntry("status", "awaiting-approval");
    assertThat(List.copyOf(progress))
        .extracting(McpSchema.ProgressNotification::progressToken)
        .contains(7);
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(done.isError()).as(text(done)).isFalse();
    JsonNode stored =
        JSON.readTree(get("/v1/invocations/" + invocationId, GatewayFixture.BILLING_KEY).body());
    JsonNode given = JSON.valueToTree(done.structuredContent());
    assertThat(given).isEqualTo(stored.path("result"));
    assertThat(text(again)).isEqualTo(text(done));
    assertThat(gateway.acme().requestLog()).containsExactly(REFUND_CALL);
  }

  @Test
  void deniedCallShowsTheApproversReasonThroughTheTool() throws Exception {
    start("1s");
    McpSyncClient billing = connect(GatewayFixture.BILLING_KEY, p -> {});
    McpSchema.CallToolResult parked =
        billing.callTool(new McpSchema.CallToolRequest("orders_refund", REFUND, null));

    HttpResponse<String> denied =
        post(
            "/v1/approvals/" + structured(parked).get("approvalId") + ":deny",
            GatewayFixture.APPROVER_KEY,
            "{\"reason\":\"not our fault\"}");
    McpSchema.CallToolResult r = outcome(billing, (String) structured(parked).get("invocationId"));

    assertThat(denied.statusCode()).as(denied.body()).isEqualTo(200);
    assertThat(r.isError()).isTrue();
    assertThat(error(r))
        .containsEntry("type", "urn:portcullis:problem:approval-denied")
        .containsEntry("invocationId", structured(parked).get("invocationId"));
    assertThat((String) error(r).get("message")).contains("ops-olivia", "not our fault");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anotherAgentCannotReadTheCallAndGetsTheSameErrorAsForAnUnknownId() throws Exception {
    start("1s");
    McpSyncClient billing = connect(GatewayFixture.BILLING_KEY, p -> {});
    McpSyncClient support = connect(GatewayFixture.SUPPORT_KEY, p -> {});
    String invocationId =
        (String)
            structured(
                    billing.callTool(new McpSchema.CallToolRequest("orders_refund", REFUND, null)))
                .get("invocationId");
    String unknownId = UUID.randomUUID().toString();

    McpSchema.CallToolResult foreign = outcome(support, invocationId);
    McpSchema.CallToolResult unknown = outcome(support, unknownId);
    McpSchema.CallToolResult own = outcome(billing, invocationId);

    assertThat(foreign.isError()).isTrue();
    assertThat(error(foreign)).containsEntry("type", "urn:portcullis:problem:not-found");
    assertThat(JSON.writeValueAsString(foreign).replace(invocationId, "ID"))
        .isEqualTo(JSON.writeValueAsString(unknown).replace(unknownId, "ID"));
    assertThat(JSON.writeValueAsString(foreign)).doesNotContain("traceId", "orders_refund");
    assertThat(own.isError()).isFalse();
    assertThat(structured(own)).containsEntry("status", "awaiting-approval");
  }

  @Test
  void zeroWaitAnswersPendingAtOnceAndNothingReachesAcme() throws Exception {
    start("0s");
    McpSyncClient billing = connect(GatewayFixture.BILLING_KEY, p -> {}, Duration.ofSeconds(5));

    McpSchema.CallToolResult r =
        billing.callTool(
            new McpSchema.CallToolRequest("orders_refund", REFUND, Map.of("progressToken", "p")));

    assertThat(r.isError()).isFalse();
    assertThat(structured(r))
        .containsEntry("status", "awaiting-approval")
        .containsKeys("approvalId", "invocationId");
    assertThat(onlyPendingApprovalId()).isEqualTo(structured(r).get("approvalId"));
    assertThat(gateway.acme().requestLog()).isEmpty();
    McpSchema.Tool tool =
        billing.listTools().tools().stream()
            .filter(t -> t.name().equals(OUTCOME))
            .findFirst()
            .orElseThrow();
    assertThat(tool.inputSchema()).containsEntry("required", List.of("invocationId"));
  }

  @Test
  void badInputToTheToolIsRefusedAndChangesNothing() throws Exception {
    start("1s");
    McpSyncClient billing = connect(GatewayFixture.BILLING_KEY, p -> {});
    String invocationId =
        (String)
            structured(
                    billing.callTool(new McpSchema.CallToolRequest("orders_refund", REFUND, null)))
                .get("invocationId");

    Map<Map<String, Object>, String> refused =
        Map.of(
            Map.of(), "/invocationId: is required",
            Map.of("invocationId", 42), "/invocationId: must be",
            Map.of("invocationId", "no such\nid"), "/invocationId: must be",
            Map.of("invocationId", invocationId, "waitSeconds", -1),
                "/waitSeconds: must be an integer from 0 to 1",
            Map.of("invocationId", invocationId, "waitSeconds", 2),
                "/waitSeconds: must be an integer from 0 to 1",
            Map.of("invocationId", invocationId, "waitSeconds", 0.5),
                "/waitSeconds: must be an integer from 0 to 1",
            Map.of("invocationId", invocationId, "cancel", true), "/cancel: is not allowed");
    refused.forEach(
        (args, violation) -> {
          McpSchema.CallToolResult r =
              billing.callTool(new McpSchema.CallToolRequest(OUTCOME, args, null));
          assertThat(r.isError()).as(args.toString()).isTrue();
          assertThat(error(r))
              .as(args.toString())
              .containsEntry("type", "urn:portcullis:problem:invalid-arguments");
          assertThat(error(r).get("violations").toString()).as(args.toString()).contains(violation);
        });
    McpError badToken =
        catchThrowableOfType(
            McpError.class,
            () ->
                billing.callTool(
                    new McpSchema.CallToolRequest(
                        OUTCOME,
                        Map.of("invocationId", invocationId),
                        Map.of("progressToken", Map.of("not", "a token")))));

    assertThat(badToken.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS);
    assertThat(badToken.getJsonRpcError().message()).contains("progressToken");
    JsonNode state =
        JSON.readTree(get("/v1/invocations/" + invocationId, GatewayFixture.BILLING_KEY).body());
    assertThat(state.path("state").asString()).isEqualTo("awaiting-approval");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void clientThatAcceptsOnlyJsonWaitsWithoutProgressAndGetsTheResultAsJson() throws Exception {
    start("20s");
    String session = initialize(GatewayFixture.BILLING_KEY);
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"orders_refund\","
            + "\"arguments\":"
            + JSON.writeValueAsString(REFUND)
            + ",\"_meta\":{\"progressToken\":\"t\"}}}";

    CompletableFuture<HttpResponse<String>> call =
        http.sendAsync(
            mcp(GatewayFixture.BILLING_KEY, session, body)
                .header("Accept", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String approvalId = onlyPendingApprovalId();
    HttpResponse<String> approved = approveOnceParked(approvalId);
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    HttpResponse<String> r = call.get(30, TimeUnit.SECONDS);

    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode answer = JSON.readTree(r.body());
    assertThat(answer.path("id").asInt()).isEqualTo(9);
    assertThat(answer.at("/result/isError").asBoolean()).isFalse();
    assertThat(answer.at("/result/structuredContent/orderId").asString()).isEqualTo("O-5001");
    assertThat(gateway.acme().requestLog()).containsExactly(REFUND_CALL);
  }

  @Test
  void closingTheGatewayAnswersAWaitingCallWithItsHandle() throws Exception {
    start("20s");
    BlockingQueue<McpSchema.ProgressNotification> progress = new LinkedBlockingQueue<>();
    McpSyncClient billing = connect(GatewayFixture.BILLING_KEY, progress::add);
    CompletableFuture<McpSchema.CallToolResult> call =
        CompletableFuture.supplyAsync(
            () ->
                billing.callTool(
                    new McpSchema.CallToolRequest(
                        "orders_refund", REFUND, Map.of("progressToken", "c"))),
            background);
    assertThat(progress.poll(30, TimeUnit.SECONDS)).isNotNull();

    gateway.close();
    gateway = null;
    McpSchema.CallToolResult r = call.get(30, TimeUnit.SECONDS);

    assertThat(r.isError()).isFalse();
    assertThat(structured(r))
        .containsEntry("status", "awaiting-approval")
        .containsKey("invocationId");
  }

  // --- helpers ---

  /**
   * The demo configuration with {@code approvals.mcpWait} set, and the demo's policies beside it.
   */
  private void start(String mcpWait) throws IOException {
    Path demo = GatewayFixture.DEMO_CONFIG;
    String yaml = Files.readString(demo, StandardCharsets.UTF_8);
    assertThat(yaml).contains("approvals:\n  timeout: 1h\n");
    Files.writeString(
        conf.resolve("portcullis.yaml"),
        yaml.replace(
            "approvals:\n  timeout: 1h\n",
            "approvals:\n  timeout: 1h\n  mcpWait: " + mcpWait + "\n"),
        StandardCharsets.UTF_8);
    Path policies = Files.createDirectories(conf.resolve("policies"));
    try (var files = Files.list(demo.resolveSibling("policies"))) {
      for (Path p : files.toList()) {
        Files.copy(p, policies.resolve(p.getFileName().toString()));
      }
    }
    gateway = GatewayFixture.start(data, conf.resolve("portcullis.yaml"), Map.of());
  }

  private McpSyncClient connect(String key, Consumer<McpSchema.ProgressNotification> progress) {
    return connect(key, progress, Duration.ofSeconds(60));
  }

  private McpSyncClient connect(
      String key, Consumer<McpSchema.ProgressNotification> progress, Duration timeout) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(gateway.baseUri().toString())
            .endpoint("/mcp")
            .addHttpRequestCustomizer(
                (request, method, uri, body, context) ->
                    request.header("Authorization", "Bearer " + key))
            .build();
    McpSyncClient client =
        McpClient.sync(transport)
            .requestTimeout(timeout)
            .progressConsumer(progress)
            .clientInfo(McpSchema.Implementation.builder("portcullis-test-agent", "0").build())
            .build();
    clients.add(client);
    client.initialize();
    return client;
  }

  private static McpSchema.CallToolResult outcome(McpSyncClient client, String invocationId) {
    return client.callTool(
        new McpSchema.CallToolRequest(OUTCOME, Map.of("invocationId", invocationId), null));
  }

  /**
   * Approves as an approver would: a request listed before its call's parking record reached the
   * audit log is refused 503 ("still being parked; retry in a moment"), so retry that, only that.
   */
  private HttpResponse<String> approveOnceParked(String approvalId) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (true) {
      HttpResponse<String> r =
          post("/v1/approvals/" + approvalId + ":approve", GatewayFixture.APPROVER_KEY, "{}");
      if (r.statusCode() != 503 || !r.body().contains("still being parked")) {
        return r;
      }
      assertThat(Instant.now()).as("the parked call's record written in time").isBefore(deadline);
      Thread.sleep(50);
    }
  }

  /** The one pending approval request, once there is one (the call is parked). */
  private String onlyPendingApprovalId() throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (true) {
      JsonNode listed =
          JSON.readTree(get("/v1/approvals?status=pending", GatewayFixture.APPROVER_KEY).body())
              .path("approvals");
      if (listed.size() == 1) {
        return listed.get(0).path("approvalId").asString();
      }
      assertThat(listed.size()).isZero();
      assertThat(Instant.now()).as("a call parked for approval in time").isBefore(deadline);
      Thread.sleep(50);
    }
  }

  private String initialize(String key) throws Exception {
    String init =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"0\"}}}";
    HttpResponse<String> r =
        http.send(
            mcp(key, null, init).header("Accept", "application/json, text/event-stream").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
  }

  private HttpRequest.Builder mcp(String key, String session, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.baseUri().resolve("/mcp"))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session);
    }
    return b;
  }

  private HttpResponse<String> get(String path, String key) {
    return gateway.send(
        HttpRequest.newBuilder(gateway.baseUri().resolve(path))
            .header("Authorization", "Bearer " + key)
            .GET()
            .build());
  }

  private HttpResponse<String> post(String path, String key, String body) {
    return gateway.send(
        HttpRequest.newBuilder(gateway.baseUri().resolve(path))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> structured(McpSchema.CallToolResult r) {
    assertThat(r.structuredContent()).as(text(r)).isInstanceOf(Map.class);
    return (Map<String, Object>) r.structuredContent();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> error(McpSchema.CallToolResult r) {
    return (Map<String, Object>) structured(r).get("error");
  }

  private static String text(McpSchema.CallToolResult r) {
    return r.content().stream()
        .filter(McpSchema.TextContent.class::isInstance)
        .map(c -> ((McpSchema.TextContent) c).text())
        .findFirst()
        .orElse("");
  }
}
