package dev.portcullis.edge;

import static dev.portcullis.testing.McpTaskCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.McpTaskCalls;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task outlives the gateway process on the embedded store: its call is in the data directory and
 * its id is signed with the key kept there, so after a restart the same id still reads and cancels
 * the same parked call.
 */
class McpTaskRestartTest {
  private static final String REFUND =
      "{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"parcel damaged\"}";

  @TempDir Path data;

  @Test
  void aTaskMadeBeforeARestartIsReadAndCancelledAfterIt() {
    String taskId;
    try (GatewayFixture before = GatewayFixture.start(data);
        McpTaskCalls mcp = new McpTaskCalls(before.baseUri())) {
      HttpResponse<String> made =
          mcp.call(GatewayFixture.BILLING_KEY, "orders_refund", REFUND, true);
      assertThat(json(made).at("/result/resultType").asString()).as(made.body()).isEqualTo("task");
      taskId = json(made).at("/result/taskId").asString();
    }

    try (GatewayFixture after = GatewayFixture.start(data);
        McpTaskCalls mcp = new McpTaskCalls(after.baseUri())) {
      HttpResponse<String> read = mcp.task(GatewayFixture.BILLING_KEY, "tasks/get", taskId, true);
      assertThat(json(read).at("/result/status").asString()).as(read.body()).isEqualTo("working");
      HttpResponse<String> cancel =
          mcp.task(GatewayFixture.BILLING_KEY, "tasks/cancel", taskId, true);
      assertThat(json(cancel).path("error").isMissingNode()).as(cancel.body()).isTrue();
      assertThat(
              json(mcp.task(GatewayFixture.BILLING_KEY, "tasks/get", taskId, true))
                  .at("/result/status")
                  .asString())
          .isEqualTo("cancelled");
      assertThat(after.acme().requestLog()).isEmpty();
    }
  }
}
