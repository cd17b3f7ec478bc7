package dev.portcullis.edge;

import static dev.portcullis.testing.McpTaskCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.testing.GatewayExtension;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.McpTaskCalls;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The MCP tasks extension over real HTTP, in front of a real Acme: a refund over 100 (the demo
 * parks it for approval) made by a client that declares {@code io.modelcontextprotocol/tasks}
 * answers at once as a task, which {@code tasks/get} follows to its end and {@code tasks/cancel}
 * ends before anyone decides. Acme's request log proves what ran upstream; the audit log that the
 * cancellation went through the ledger. {@code mcpWait} is 2 s here, so a client without the
 * extension still waits that long, then gets the pending result it always got.
 */
class McpTasksHttpTest {
  private static final String BILLING = GatewayFixture.BILLING_KEY;
  private static final String OLIVIA = GatewayFixture.APPROVER_KEY;

  @RegisterExtension
  static final GatewayExtension GATEWAY =
      GatewayExtension.config(
          dir -> {
            Path config = GatewayFixture.demoConfigWith(dir, "");
            String yaml = Files.readString(config, StandardCharsets.UTF_8);
            assertThat(yaml).contains("approvals:\n  timeout: 1h\n");
            Files.writeString(
                config,
                yaml.replace(
                    "approvals:\n  timeout: 1h\n", "approvals:\n  timeout: 1h\n  mcpWait: 2s\n"),
                StandardCharsets.UTF_8);
            return config;
          });

  private static McpTaskCalls mcp;
  private final GatewayFixture gateway;

  McpTasksHttpTest(GatewayFixture gateway) {
    this.gateway = gateway;
  }

  @BeforeAll
  static void client(GatewayFixture gateway) {
    mcp = new McpTaskCalls(gateway.baseUri());
  }

  @AfterAll
  static void stop() {
    mcp.close();
  }

  private static String refund(String order) {
    return "{\"orderId\":\"" + order + "\",\"amount\":120,\"reason\":\"parcel damaged\"}";
  }

  /** Parks a refund as a task; answers the CreateTaskResult. */
  private static JsonNode parkedTask(String order) {
    HttpResponse<String> r = mcp.call(BILLING, "orders_refund", refund(order), true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = json(r).path("result");
    assertThat(result.path("resultType").asString()).as(r.body()).isEqualTo("task");
    return result;
  }

  private static JsonNode get(String key, String taskId) {
    HttpResponse<String> r = mcp.task(key, "tasks/get", taskId, true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  private String approvalOf(String invocationId) {
    JsonNode listed = json(gateway.get("/v1/approvals?status=pending", OLIVIA)).path("approvals");
    return StreamSupport.stream(listed.spliterator(), false)
        .filter(a -> a.path("invocationId").asString().equals(invocationId))
        .map(a -> a.path("approvalId").asString())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aParkedCallAnswersAtOnceWithAWorkingTaskWhoseCallIsAlreadyStored() {
    JsonNode task = parkedTask("O-5001");

    String taskId = task.path("taskId").asString();
    assertThat(taskId).startsWith("t1.");
    assertThat(task.path("status").asString()).isEqualTo("working");
    assertThat(task.path("statusMessage").asString()).contains("approval");
    assertThat(task.path("createdAt").asString()).isNotEmpty();
    assertThat(task.path("lastUpdatedAt").asString()).isNotEmpty();
    assertThat(task.has("ttlMs")).isTrue();
    assertThat(task.path("ttlMs").isNull()).isTrue();
    assertThat(task.path("pollIntervalMs").asLong()).isEqualTo(2000);
    assertThat(task.at("/_meta/io.modelcontextprotocol~1serverInfo/name").asString())
        .isEqualTo("portcullis");
    // Durable before the reply: the call it names is stored, parked, and any read finds it.
    String invocationId = McpTaskCalls.invocationOf(taskId);
    JsonNode stored = json(gateway.get("/v1/invocations/" + invocationId, BILLING));
    assertThat(stored.path("state").asString()).isEqualTo("awaiting-approval");
    JsonNode polled = get(BILLING, taskId).path("result");
    assertThat(polled.path("resultType").asString()).isEqualTo("complete");
    assertThat(polled.path("taskId").asString()).isEqualTo(taskId);
    assertThat(polled.path("status").asString()).isEqualTo("working");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void aTaskCompletesWithTheToolResultOnceApprovedThroughTheRestRoute() {
    String taskId = parkedTask("O-5003").path("taskId").asString();
    String approvalId = approvalOf(McpTaskCalls.invocationOf(taskId));

    HttpResponse<String> approved = gateway.approve(approvalId, OLIVIA, "{}");

    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    JsonNode done = get(BILLING, taskId).path("result");
    assertThat(done.path("resultType").asString()).isEqualTo("complete");
    assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
    JsonNode result = done.path("result");
    assertThat(result.path("resultType").asString()).isEqualTo("complete");
    assertThat(result.path("isError").asBoolean()).isFalse();
    assertThat(result.at("/_meta/portcullis~1invocationId").asString())
        .isEqualTo(McpTaskCalls.invocationOf(taskId));
    assertThat(result.path("structuredContent").isObject()).isTrue();
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5003/refunds");
  }

  @Test
  void aDeniedTaskCompletesWithTheDenialAsAnIsErrorResultAndNothingRuns() {
    String taskId = parkedTask("O-5002").path("taskId").asString();
    String approvalId = approvalOf(McpTaskCalls.invocationOf(taskId));

    HttpResponse<String> denied =
        gateway.post(
            "/v1/approvals/" + approvalId + ":deny", OLIVIA, "{\"reason\":\"not our fault\"}");

    assertThat(denied.statusCode()).as(denied.body()).isEqualTo(200);
    JsonNode done = get(BILLING, taskId).path("result");
    // The extension keeps "failed" for JSON-RPC errors: a denial is the call's isError result.
    assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("completed");
    assertThat(done.path("statusMessage").asString()).contains("ops-olivia", "not our fault");
    assertThat(done.at("/result/isError").asBoolean()).isTrue();
    assertThat(done.at("/result/structuredContent/error/type").asString())
        .isEqualTo("urn:portcullis:problem:approval-denied");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void cancellingATaskEndsTheParkedCallThroughTheLedgerAndItNeverRuns() throws Exception {
    String taskId = parkedTask("O-5005").path("taskId").asString();
    String invocationId = McpTaskCalls.invocationOf(taskId);
    String approvalId = approvalOf(invocationId);

    HttpResponse<String> cancelled = mcp.task(BILLING, "tasks/cancel", taskId, true);

    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
    assertThat(json(cancelled).at("/result/resultType").asString()).isEqualTo("complete");
    assertThat(json(cancelled).path("error").isMissingNode()).isTrue();
    JsonNode now = get(BILLING, taskId).path("result");
    assertThat(now.path("status").asString()).as(now.toString()).isEqualTo("cancelled");
    assertThat(now.path("result").isMissingNode()).isTrue();
    // An approver who comes too late changes nothing, and nothing reached Acme.
    HttpResponse<String> late = gateway.approve(approvalId, OLIVIA, "{}");
    assertThat(late.statusCode()).as(late.body()).isEqualTo(409);
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(
            json(gateway.get("/v1/invocations/" + invocationId, BILLING)).path("state").asString())
        .isEqualTo("cancelled");
    AuditRecord last =
        gateway.audit().stream()
            .filter(a -> invocationId.equals(a.entry().invocationId()))
            .toList()
            .getLast();
    assertThat(last.entry().state()).isEqualTo("CANCELLED");
    assertThat(last.entry().reasons())
        .contains("approval:" + approvalId, "cancelled-by:agent:billing-assistant");
    assertThat(json(gateway.get("/v1/approvals/" + approvalId, OLIVIA)).path("status").asString())
        .isEqualTo("cancelled");
  }

  @Test
  void cancellingATaskWhoseCallHasEndedIsRefusedAndChangesNothing() {
    String taskId = parkedTask("O-5006").path("taskId").asString();
    gateway.approve(approvalOf(McpTaskCalls.invocationOf(taskId)), OLIVIA, "{}");

    HttpResponse<String> refused = mcp.task(BILLING, "tasks/cancel", taskId, true);

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(200);
    JsonNode error = json(refused).path("error");
    assertThat(error.path("code").asInt()).as(refused.body()).isEqualTo(-32602);
    assertThat(error.path("message").asString()).startsWith("Task cannot be cancelled");
    assertThat(error.at("/data/type").asString())
        .isEqualTo("urn:portcullis:problem:approval-decided");
    assertThat(get(BILLING, taskId).at("/result/status").asString()).isEqualTo("completed");
    HttpResponse<String> again = mcp.task(BILLING, "tasks/cancel", taskId, true);
    assertThat(json(again).at("/error/code").asInt()).isEqualTo(-32602);
  }

  @Test
  void aCancelRacingAnApprovalHasOneWinnerAndTheCallRunsAtMostOnce() throws Exception {
    String taskId = parkedTask("O-5001").path("taskId").asString();
    String approvalId = approvalOf(McpTaskCalls.invocationOf(taskId));
    CountDownLatch go = new CountDownLatch(1);

    try (ExecutorService both = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<HttpResponse<String>> cancel =
          both.submit(
              () -> {
                go.await();
                return mcp.task(BILLING, "tasks/cancel", taskId, true);
              });
      Future<HttpResponse<String>> approve =
          both.submit(
              () -> {
                go.await();
                return gateway.approve(approvalId, OLIVIA, "{}");
              });
      go.countDown();
      boolean cancelWon = json(cancel.get()).path("error").isMissingNode();
      boolean approveWon = approve.get().statusCode() == 200;

      assertThat(cancelWon ^ approveWon)
          .as("cancel %s / approve %s", cancel.get().body(), approve.get().body())
          .isTrue();
      String status = get(BILLING, taskId).at("/result/status").asString();
      if (cancelWon) {
        assertThat(status).isEqualTo("cancelled");
        assertThat(gateway.acme().requestLog()).isEmpty();
      } else {
        assertThat(status).isEqualTo("completed");
        assertThat(json(cancel.get()).at("/error/code").asInt()).isEqualTo(-32602);
        assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
      }
    }
  }

  @Test
  void anotherAgentsTaskAnswersExactlyAsATaskThatDoesNotExist() {
    String taskId = parkedTask("O-5007").path("taskId").asString();
    String unknown = "t1.01900000-0000-7000-8000-000000000000." + "A".repeat(43);

    HttpResponse<String> foreign = mcp.task(GatewayFixture.SUPPORT_KEY, "tasks/get", taskId, true);
    HttpResponse<String> none = mcp.task(GatewayFixture.SUPPORT_KEY, "tasks/get", unknown, true);
    HttpResponse<String> foreignCancel =
        mcp.task(GatewayFixture.SUPPORT_KEY, "tasks/cancel", taskId, true);

    assertThat(foreign.statusCode()).isEqualTo(none.statusCode()).isEqualTo(200);
    JsonNode foreignError = json(foreign).path("error");
    assertThat(foreignError.path("code").asInt()).isEqualTo(-32602);
    assertThat(foreignError).isEqualTo(json(none).path("error"));
    assertThat(json(foreignCancel).path("error")).isEqualTo(foreignError);
    assertThat(foreign.body()).doesNotContain(McpTaskCalls.invocationOf(taskId));
    // The owner's task is untouched by the other agent's cancel.
    assertThat(get(BILLING, taskId).at("/result/status").asString()).isEqualTo("working");
  }

  @Test
  void forgedAlteredAndMalformedTaskIdsAreInvalidParamsNeverAServerError() {
    String taskId = parkedTask("O-5008").path("taskId").asString();
    String mac = taskId.substring(taskId.lastIndexOf('.') + 1);
    char flipped = mac.charAt(0) == 'A' ? 'B' : 'A';
    List<String> bad =
        List.of(
            flipped + mac.substring(1),
            "garbage",
            "",
            "t1..",
            "t1." + McpTaskCalls.invocationOf(taskId) + "." + "x".repeat(400),
            "t1." + McpTaskCalls.invocationOf(taskId).replace('-', '_') + "." + mac);
    List<String> ids =
        List.of(
            taskId.substring(0, taskId.lastIndexOf('.') + 1) + bad.get(0),
            bad.get(1),
            bad.get(2),
            bad.get(3),
            bad.get(4),
            bad.get(5));

    for (String id : ids) {
      for (String method : List.of("tasks/get", "tasks/cancel", "tasks/update")) {
        HttpResponse<String> r = mcp.task(BILLING, method, id, true);
        assertThat(r.statusCode()).as(method + " " + id + ": " + r.body()).isEqualTo(200);
        assertThat(json(r).at("/error/code").asInt()).as(method + " " + id).isEqualTo(-32602);
      }
    }
    assertThat(get(BILLING, taskId).at("/result/status").asString()).isEqualTo("working");
  }

  @Test
  void aTaskIdThatIsNotAStringIsInvalidParams() {
    for (String taskId : List.of("42", "null", "{\"id\":\"x\"}", "[\"t1\"]")) {
      String body =
          "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tasks/get\",\"params\":{\"taskId\":"
              + taskId
              + ","
              + McpTaskCalls.meta(true)
              + "}}";

      HttpResponse<String> r = mcp.send(BILLING, "tasks/get", taskId, body);

      // The Mcp-Name header cannot mirror a taskId that is not a string: refused as a mismatch,
      // before anything is read.
      assertThat(r.statusCode()).as(taskId + ": " + r.body()).isEqualTo(400);
      assertThat(json(r).at("/error/code").asInt()).as(taskId).isEqualTo(-32020);
    }
  }

  @Test
  void tasksMethodsFromAClientThatDoesNotDeclareTheExtensionAreMissingCapability() {
    String taskId = parkedTask("O-5001").path("taskId").asString();

    for (String method : List.of("tasks/get", "tasks/cancel", "tasks/update")) {
      HttpResponse<String> r = mcp.task(BILLING, method, taskId, false);

      JsonNode error = json(r).path("error");
      assertThat(error.path("code").asInt()).as(r.body()).isEqualTo(-32021);
      assertThat(
              error
                  .at("/data/requiredCapabilities/extensions")
                  .has("io.modelcontextprotocol/tasks"))
          .isTrue();
    }
    assertThat(get(BILLING, taskId).at("/result/status").asString()).isEqualTo("working");
  }

  @Test
  void theMcpNameHeaderMustBeTheTaskId() {
    String taskId = parkedTask("O-5001").path("taskId").asString();

    HttpResponse<String> r = mcp.task(BILLING, "tasks/cancel", taskId, "another-task", true);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).at("/error/code").asInt()).isEqualTo(-32020);
    assertThat(get(BILLING, taskId).at("/result/status").asString()).isEqualTo("working");
  }

  @Test
  void aClientWithoutTheExtensionStillWaitsThenGetsThePendingResult() {
    HttpResponse<String> r = mcp.call(BILLING, "orders_refund", refund("O-5001"), false);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = json(r).path("result");
    assertThat(result.path("resultType").asString()).isEqualTo("complete");
    assertThat(result.has("taskId")).isFalse();
    assertThat(result.at("/structuredContent/status").asString()).isEqualTo("awaiting-approval");
  }

  @Test
  void aCallThatIsNotParkedAnswersItsResultEvenWhenTheClientTakesTasks() {
    HttpResponse<String> r =
        mcp.call(
            GatewayFixture.SUPPORT_KEY, "crm_get_customer", "{\"customerId\":\"C-1001\"}", true);

    JsonNode result = json(r).path("result");
    assertThat(result.path("resultType").asString()).as(r.body()).isEqualTo("complete");
    assertThat(result.path("isError").asBoolean()).isFalse();
    assertThat(result.has("taskId")).isFalse();
  }

  @Test
  void discoverAdvertisesTheTasksExtension() {
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":\"d\",\"method\":\"server/discover\",\"params\":{"
            + McpTaskCalls.meta(false)
            + "}}";

    HttpResponse<String> r = mcp.send(BILLING, "server/discover", null, body);

    assertThat(json(r).at("/result/capabilities/extensions").has("io.modelcontextprotocol/tasks"))
        .as(r.body())
        .isTrue();
  }
}
