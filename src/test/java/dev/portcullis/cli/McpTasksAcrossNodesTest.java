package dev.portcullis.cli;

import static dev.portcullis.testing.McpTaskCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.McpTaskCalls;
import dev.portcullis.testing.Postgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * An MCP task (a call parked for approval, answered as a task) made on one gateway node and
 * followed and cancelled on another, both on one PostgreSQL store, as behind a load balancer with
 * no stickiness: the task is the stored call, and its id verifies on every node under the
 * installation's shared key.
 */
class McpTasksAcrossNodesTest {
  private static final String BILLING = GatewayFixture.BILLING_KEY;
  private static final String OLIVIA = GatewayFixture.APPROVER_KEY;
  private static final String REFUND =
      "{\"orderId\":\"O-5003\",\"amount\":120,\"reason\":\"parcel damaged\"}";

  @TempDir Path dir;
  private GatewayFixture nodeA;
  private GatewayFixture nodeB;
  private McpTaskCalls onA;
  private McpTaskCalls onB;

  @BeforeEach
  void start() throws IOException {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    Path config =
        GatewayFixture.demoConfigWith(
            Files.createDirectories(dir.resolve("config")),
            "store:\n  type: postgres\n  url: " + db.url() + "\n  user: " + db.user() + "\n");
    nodeA = GatewayFixture.start(dir.resolve("node-a"), config, Map.of());
    nodeB = GatewayFixture.start(dir.resolve("node-b"), config, Map.of());
    onA = new McpTaskCalls(nodeA.baseUri());
    onB = new McpTaskCalls(nodeB.baseUri());
  }

  @AfterEach
  void stop() {
    if (onA != null) {
      onA.close();
    }
    if (onB != null) {
      onB.close();
    }
    if (nodeB != null) {
      nodeB.close();
    }
    if (nodeA != null) {
      nodeA.close();
    }
  }

  private String taskOnA() {
    HttpResponse<String> r = onA.call(BILLING, "orders_refund", REFUND, true);
    assertThat(json(r).at("/result/resultType").asString()).as(r.body()).isEqualTo("task");
    return json(r).at("/result/taskId").asString();
  }

  private static String status(McpTaskCalls node, String taskId) {
    HttpResponse<String> r = node.task(BILLING, "tasks/get", taskId, true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).at("/result/status").asString();
  }

  private String approvalOf(GatewayFixture node, String taskId) {
    String invocationId = McpTaskCalls.invocationOf(taskId);
    JsonNode listed = json(node.get("/v1/approvals?status=pending", OLIVIA)).path("approvals");
    return StreamSupport.stream(listed.spliterator(), false)
        .filter(a -> a.path("invocationId").asString().equals(invocationId))
        .map(a -> a.path("approvalId").asString())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aTaskMadeOnOneNodeIsFollowedToItsResultOnTheOther() {
    String taskId = taskOnA();

    assertThat(status(onB, taskId)).as("read on the other node at once").isEqualTo("working");
    HttpResponse<String> approved = nodeB.approve(approvalOf(nodeB, taskId), OLIVIA, "{}");
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);

    HttpResponse<String> done = onA.task(BILLING, "tasks/get", taskId, true);
    assertThat(json(done).at("/result/status").asString()).as(done.body()).isEqualTo("completed");
    assertThat(json(done).at("/result/result/isError").asBoolean()).isFalse();
    assertThat(nodeB.acme().requestLog()).containsExactly("POST /api/orders/O-5003/refunds");
    assertThat(nodeA.acme().requestLog()).isEmpty();
  }

  @Test
  void aTaskMadeOnOneNodeIsCancelledOnTheOtherAndRunsOnNeither() {
    String taskId = taskOnA();
    String approvalId = approvalOf(nodeA, taskId);

    HttpResponse<String> stranger =
        onB.task(GatewayFixture.SUPPORT_KEY, "tasks/cancel", taskId, true);
    assertThat(json(stranger).at("/error/code").asInt()).as(stranger.body()).isEqualTo(-32602);
    HttpResponse<String> cancelled = onB.task(BILLING, "tasks/cancel", taskId, true);
    assertThat(json(cancelled).path("error").isMissingNode()).as(cancelled.body()).isTrue();

    assertThat(status(onA, taskId)).isEqualTo("cancelled");
    HttpResponse<String> late = nodeA.approve(approvalId, OLIVIA, "{}");
    assertThat(late.statusCode()).as(late.body()).isEqualTo(409);
    assertThat(nodeA.acme().requestLog()).isEmpty();
    assertThat(nodeB.acme().requestLog()).isEmpty();
  }
}
