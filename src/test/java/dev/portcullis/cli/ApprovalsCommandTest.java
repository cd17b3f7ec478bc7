package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code portcullis approvals …} against a running gateway, over its approval API. */
class ApprovalsCommandTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";

  @TempDir Path data;
  private GatewayFixture gateway;
  private String server;

  @BeforeEach
  void start() {
    gateway = GatewayFixture.start(data);
    server = gateway.baseUri().toString();
  }

  @AfterEach
  void close() {
    gateway.close();
  }

  @Test
  void listsShowsAndApprovesAParkedRefundWhichThenRunsOnce() {
    JsonNode parked =
        JSON.readTree(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND).body());
    String id = parked.path("approvalId").asString();

    CliRun list =
        CliRun.of("approvals", "list", "--server", server, "--key", GatewayFixture.APPROVER_KEY);
    CliRun show =
        CliRun.of(
            "approvals", "show", id, "--server", server, "--key", GatewayFixture.APPROVER_KEY);
    CliRun approve =
        CliRun.of(
            "approvals", "approve", id, "--server", server, "--key", GatewayFixture.APPROVER_KEY);
    CliRun again =
        CliRun.of(
            "approvals", "approve", id, "--server", server, "--key", GatewayFixture.APPROVER_KEY);

    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out())
        .contains(
            "APPROVAL", "TOOL", "DEADLINE", id, "orders_refund", "billing-assistant", "pending");
    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out())
        .contains(
            "Tool:       orders_refund", "refunds-over-100-need-approval", "\"amount\" : 120");
    assertThat(approve.exitCode()).as(approve.err()).isZero();
    assertThat(approve.out()).contains("approved by ops-olivia", "completed");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("approval-decided (409)");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void deniesWithAReasonAndRefusesAnAgentsKey() {
    String id =
        JSON.readTree(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND).body())
            .path("approvalId")
            .asString();

    CliRun agent =
        CliRun.of(
            "approvals", "approve", id, "--server", server, "--key", GatewayFixture.BILLING_KEY);
    CliRun deny =
        CliRun.of(
            "approvals",
            "deny",
            id,
            "--reason",
            "duplicate request",
            "--server",
            server,
            "--key",
            GatewayFixture.APPROVER_KEY);
    CliRun denied =
        CliRun.of(
            "approvals",
            "list",
            "--status",
            "denied",
            "--server",
            server,
            "--key",
            GatewayFixture.APPROVER_KEY);

    assertThat(agent.exitCode()).isEqualTo(1);
    assertThat(agent.err()).contains("not-an-approver (403)");
    assertThat(deny.exitCode()).as(deny.err()).isZero();
    assertThat(deny.out()).contains("denied by ops-olivia", "denied");
    assertThat(denied.out()).contains(id);
    assertThat(gateway.acme().requestLog()).isEmpty();
  }
}
