package dev.portcullis.cli;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo's third act: a refund over 100 needs a person. The billing agent's MCP call stays open,
 * with progress notifications, while an approver finds the request and approves it; the same call
 * then returns the refund, which ran once. Approving it again is refused.
 */
final class DemoApprovals {
  static final String BILLING_KEY = "pcl_demo_billing_assistant_key_not_for_production";
  static final String OLIVIA_KEY = "pcl_demo_approver_olivia_key_not_for_production";
  static final String OMAR_KEY = "pcl_demo_approver_omar_key_not_for_production";

  private final DemoScript script;
  private final JsonMapper json = JsonMapper.builder().build();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  DemoApprovals(DemoScript script) {
    this.script = script;
  }

  void run(String baseUrl) {
    script.heading(
        "A refund over 100: the policy sends it to a person, and the agent's call waits, durably,"
            + " while an approver decides.");
    BlockingQueue<McpSchema.ProgressNotification> progress = new LinkedBlockingQueue<>();
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(baseUrl)
            .endpoint("/mcp")
            .addHttpRequestCustomizer(
                (request, method, uri, body, context) ->
                    request.header("Authorization", "Bearer " + BILLING_KEY))
            .build();
    try (McpSyncClient billing =
            McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .progressConsumer(progress::add)
                .clientInfo(
                    McpSchema.Implementation.builder(
                            "portcullis-demo-billing-agent", Version.current())
                        .build())
                .build();
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor()) {
      billing.initialize();
      Map<String, Object> refund =
          DemoScript.args("orderId", "O-5001", "amount", 120, "reason", "arrived damaged");
      script.say(
          "→ tools/call orders_refund "
              + json.writeValueAsString(refund)
              + "   (billing-assistant)");
      CompletableFuture<McpSchema.CallToolResult> call =
          CompletableFuture.supplyAsync(
              () ->
                  billing.callTool(
                      new McpSchema.CallToolRequest(
                          "orders_refund", refund, Map.of("progressToken", "refund-o-5001"))),
              background);
      McpSchema.ProgressNotification first = progress.poll(20, TimeUnit.SECONDS);
      script.say("← (still open) progress: " + (first == null ? "none" : first.message()));
      script.expect(
          first != null, "the agent is told its call awaits approval, and the call stays open");

      JsonNode pending = pendingRequest(baseUrl);
      String approvalId = pending.path("approvalId").asString();
      script.say(
          "ops-olivia lists what waits for her (GET /v1/approvals?status=pending, or the inbox at "
              + baseUrl
              + "/inbox/approvals/"
              + approvalId
              + "):");
      script.say(
          "   "
              + pending.path("tool").asString()
              + " for "
              + pending.path("agent").asString()
              + ", arguments "
              + pending.path("arguments")
              + ", because "
              + pending.path("reasons"));
      script.say("→ POST /v1/approvals/" + approvalId + ":approve   (ops-olivia)");
      HttpResponse<String> approved =
          post(baseUrl + "/v1/approvals/" + approvalId + ":approve", OLIVIA_KEY);
      script.say(
          "← "
              + approved.statusCode()
              + " "
              + json.readTree(approved.body()).path("state").asString());
      McpSchema.CallToolResult r = call.get(30, TimeUnit.SECONDS);
      script.say("← the agent's same call returns: " + DemoScript.text(r));
      script.expect(
          approved.statusCode() == 200
              && !Boolean.TRUE.equals(r.isError())
              && DemoScript.text(r).contains("\"status\":\"issued\""),
          "approved, the refund ran and the waiting call got it");

      script.say("→ POST /v1/approvals/" + approvalId + ":approve   (ops-omar, a second time)");
      HttpResponse<String> again =
          post(baseUrl + "/v1/approvals/" + approvalId + ":approve", OMAR_KEY);
      script.say(
          "← " + again.statusCode() + " " + json.readTree(again.body()).path("detail").asString());
      script.expect(
          again.statusCode() == 409,
          "an approval authorises that one call once: approving again is refused");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      script.expect(false, "the approval act was interrupted");
    } catch (ExecutionException | TimeoutException | IOException e) {
      script.expect(false, "the approval act ran: " + e);
    }
  }

  /** The one pending approval request, once the parked call has been recorded. */
  private JsonNode pendingRequest(String baseUrl) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plusSeconds(20);
    while (true) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/v1/approvals?status=pending"))
                  .timeout(Duration.ofSeconds(10))
                  .header("Authorization", "Bearer " + OLIVIA_KEY)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode listed = json.readTree(r.body()).path("approvals");
      if (listed.size() > 0 || Instant.now().isAfter(deadline)) {
        return listed.path(0);
      }
      Thread.sleep(100);
    }
  }

  private HttpResponse<String> post(String url, String key)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
