package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.McpTaskCalls;
import dev.portcullis.testing.NodeTestPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official tasks requester ({@code @modelcontextprotocol/ext-tasks} 0.2.2, over the TypeScript
 * SDK v2 client 2.4.0 pinned to 2026-07-28) against a real gateway: it sees the extension in {@code
 * server/discover}, declares it on its {@code tools/call}, gets the parked refund as a task and
 * polls it with {@code tasks/get} until an approver decides through the REST route, or cancels it
 * with {@code tasks/cancel}. The package sends 2026-07-28 task traffic through a host-supplied raw
 * path ({@code client-tasks.mjs} gives it plain fetch with the revision's headers); everything else
 * is the package's own logic.
 *
 * <p>Needs node and npm ({@link NodeTestPackages}); skipped without them, failed under CI.
 */
class McpTasksInteropTest {
  private static final long RUN_BOUND_SECONDS = 120;
  private static final String REFUND =
      "{\"orderId\":\"O-5003\",\"amount\":120,\"reason\":\"parcel damaged\"}";

  @TempDir static Path work;
  static Path node;
  static GatewayFixture gateway;
  static final JsonMapper json = JsonMapper.builder().build();

  @BeforeAll
  static void start() throws Exception {
    node =
        NodeTestPackages.installed(
            "interop with the MCP tasks requester @modelcontextprotocol/ext-tasks (needs node 20+)");
    gateway = GatewayFixture.start(work.resolve("data"));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @BeforeEach
  void forgetEarlierUpstreamRequests() {
    gateway.acme().clearRequestLog();
  }

  @Test
  void theRequesterFollowsAParkedCallAsATaskToTheResultAnApproverLetThrough() throws Exception {
    Run p = requester("settle");
    String approvalId = awaitPendingApproval(p);

    assertThat(gateway.approve(approvalId, GatewayFixture.APPROVER_KEY, "{}").statusCode())
        .isEqualTo(200);
    JsonNode out = finish(p);

    assertThat(out.path("kind").asString()).as(out.toString()).isEqualTo("task");
    String taskId = out.path("taskId").asString();
    assertThat(taskId).startsWith("t1.");
    assertThat(out.at("/outcome/status").asString()).as(out.toString()).isEqualTo("completed");
    assertThat(out.at("/outcome/result/isError").asBoolean()).isFalse();
    assertThat(out.at("/outcome/result/structuredContent").isObject()).isTrue();
    List<JsonNode> posted = StreamSupport.stream(out.path("posted").spliterator(), false).toList();
    assertThat(posted)
        .filteredOn(x -> x.path("method").asString().equals("tools/call"))
        .singleElement()
        .satisfies(x -> assertThat(x.path("mcpName").asString()).isEqualTo("orders_refund"));
    assertThat(posted)
        .filteredOn(x -> x.path("method").asString().equals("tasks/get"))
        .isNotEmpty()
        .allSatisfy(
            x -> {
              assertThat(x.path("mcpName").asString()).isEqualTo(taskId);
              assertThat(x.path("status").asInt()).isEqualTo(200);
            });
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5003/refunds");
  }

  @Test
  void theRequesterCancelsItsTaskAndTheCallNeverRuns() throws Exception {
    JsonNode out = finish(requester("cancel"));

    assertThat(out.path("kind").asString()).as(out.toString()).isEqualTo("task");
    assertThat(out.at("/outcome/status").asString()).as(out.toString()).isEqualTo("cancelled");
    assertThat(StreamSupport.stream(out.path("posted").spliterator(), false))
        .extracting(x -> x.path("method").asString())
        .contains("tools/call", "tasks/cancel");
    String invocationId = McpTaskCalls.invocationOf(out.path("taskId").asString());
    JsonNode stored =
        json.readTree(
            gateway.get("/v1/invocations/" + invocationId, GatewayFixture.BILLING_KEY).body());
    assertThat(stored.path("state").asString()).isEqualTo("cancelled");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  /** A running requester and the files its output goes to. */
  private record Run(Process process, Path out, Path err) {}

  private static Run requester(String action) throws IOException {
    List<String> command =
        List.of(
            node.toString(),
            "client-tasks.mjs",
            gateway.baseUri() + "/mcp",
            GatewayFixture.BILLING_KEY,
            "orders_refund",
            REFUND,
            action);
    Path out = Files.createTempFile(work, "client-tasks", ".out");
    Path err = Files.createTempFile(work, "client-tasks", ".err");
    Process p =
        new ProcessBuilder(command)
            .directory(NodeTestPackages.DIR.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    return new Run(p, out, err);
  }

  /**
   * The approval the requester's call is parked under, once it is listed. Polls the approval API
   * (the requester is another process; nothing here can be signalled), bounded by the run bound.
   */
  private static String awaitPendingApproval(Run run) throws InterruptedException {
    Process p = run.process();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_BOUND_SECONDS);
    while (System.nanoTime() < end && p.isAlive()) {
      JsonNode listed =
          json.readTree(
                  gateway.get("/v1/approvals?status=pending", GatewayFixture.APPROVER_KEY).body())
              .path("approvals");
      Optional<String> found =
          StreamSupport.stream(listed.spliterator(), false)
              .filter(a -> a.path("agent").asString().equals("billing-assistant"))
              .map(a -> a.path("approvalId").asString())
              .findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      p.waitFor(200, TimeUnit.MILLISECONDS);
    }
    fail(
        "the requester's call was never parked for approval (requester alive: "
            + p.isAlive()
            + ")");
    return null;
  }

  private static JsonNode finish(Run run) throws IOException, InterruptedException {
    Process p = run.process();
    if (!p.waitFor(RUN_BOUND_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("the tasks requester did not finish within " + RUN_BOUND_SECONDS + " s");
    }
    String stdout = Files.readString(run.out(), StandardCharsets.UTF_8);
    assertThat(p.exitValue())
        .as("stdout:%n%s%nstderr:%n%s", stdout, Files.readString(run.err(), StandardCharsets.UTF_8))
        .isZero();
    JsonNode result = json.readTree(stdout);
    assertThat(result.has("error")).as(result.toString()).isFalse();
    return result;
  }
}
