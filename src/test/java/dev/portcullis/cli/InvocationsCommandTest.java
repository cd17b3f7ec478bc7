package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Interrupted;
import dev.portcullis.testing.RevertConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code portcullis invocations …} against a running gateway, over its operator API. */
class InvocationsCommandTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ARGS =
      "{\"orderId\":\"O-5001\",\"amount\":20,\"reason\":\"late delivery\"}";
  private static final String KEY = GatewayFixture.APPROVER_KEY;

  @TempDir Path data;
  @TempDir Path configDir;
  private GatewayFixture gateway;

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void listsShowsAndSettlesAnInterruptedCallAndRefusesToSettleItTwice() {
    String id = Interrupted.refund(data, null, "orders_refund", ARGS);
    gateway = GatewayFixture.start(data);
    String server = gateway.baseUri().toString();

    CliRun list = CliRun.of("invocations", "list", "--server", server, "--key", KEY);
    CliRun show = CliRun.of("invocations", "show", id, "--server", server, "--key", KEY);
    CliRun settle =
        CliRun.of(
            "invocations",
            "settle",
            id,
            "--as",
            "cancelled",
            "--reason",
            "voided by finance",
            "--server",
            server,
            "--key",
            KEY);
    CliRun again =
        CliRun.of(
            "invocations",
            "settle",
            id,
            "--as",
            "completed",
            "--reason",
            "oops",
            "--server",
            server,
            "--key",
            KEY);
    CliRun empty = CliRun.of("invocations", "list", "--server", server, "--key", KEY);

    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out())
        .contains(
            "INVOCATION",
            "STATE",
            "TOOL",
            id,
            "needs-reconciliation",
            "orders_refund",
            "billing-assistant",
            "portcullis invocations settle ID");
    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out())
        .contains(
            "State:      needs-reconciliation",
            "Tool:       orders_refund",
            "\"amount\" : 20",
            "interrupted");
    assertThat(settle.exitCode()).as(settle.err()).isZero();
    assertThat(settle.out()).contains("invocation " + id + " settled as cancelled");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("invocation-not-reconcilable (409)", "is cancelled");
    assertThat(empty.out()).contains("No needs-reconciliation invocations.");
  }

  @Test
  void revertsACompletedRefundShowingTheCompensationAndRefusesAnAgentsKey() {
    gateway = GatewayFixture.start(data, RevertConfig.write(configDir, false), Map.of());
    String server = gateway.baseUri().toString();
    JsonNode refund =
        JSON.readTree(
            gateway
                .invoke("orders_refund", GatewayFixture.BILLING_KEY, "{\"arguments\":" + ARGS + "}")
                .body());
    String id = refund.path("invocationId").asString();

    CliRun agent =
        CliRun.of(
            "invocations", "revert", id, "--server", server, "--key", GatewayFixture.BILLING_KEY);
    CliRun show = CliRun.of("invocations", "show", id, "--server", server, "--key", KEY);
    CliRun revert = CliRun.of("invocations", "revert", id, "--server", server, "--key", KEY);
    CliRun read = CliRun.of("invocations", "revert", "nope", "--server", server, "--key", KEY);

    assertThat(agent.exitCode()).isEqualTo(1);
    assertThat(agent.err()).contains("not-an-approver (403)");
    assertThat(show.out()).contains("Before-state (read orders_get", "\"id\" : \"O-5001\"");
    assertThat(revert.exitCode()).as(revert.err()).isZero();
    assertThat(revert.out())
        .contains("compensation orders_refund_cancel", "completed", "\"status\" : \"cancelled\"");
    assertThat(read.exitCode()).isEqualTo(1);
    assertThat(read.err()).contains("not-found (404)");
    assertThat(gateway.acme().requestLog()).filteredOn(l -> l.endsWith("/cancel")).hasSize(1);
  }
}
