package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.assertProblem;
import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Interrupted;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Operators settle calls a crash left NEEDS_RECONCILIATION, over /v1/invocations, on a real
 * gateway.
 */
class ReconciliationApiTest {
  private static final String ARGS =
      "{\"orderId\":\"O-5001\",\"amount\":20,\"reason\":\"late delivery\"}";
  private static final String OLIVIA = GatewayFixture.APPROVER_KEY;
  private static final String OMAR = GatewayFixture.SECOND_APPROVER_KEY;

  @TempDir Path data;
  private GatewayFixture gateway;

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void anOperatorListsAndSettlesAnInterruptedCallRecordingWhoWhyAndWhen() throws Exception {
    String id = Interrupted.refund(data, null, "orders_refund", ARGS);
    gateway = GatewayFixture.start(data);

    JsonNode listed = json(gateway.get("/v1/invocations", OLIVIA)).path("invocations");
    HttpResponse<String> settled =
        gateway.post(
            "/v1/invocations/" + id + ":settle",
            OLIVIA,
            "{\"as\":\"completed\",\"reason\":\"refund R-7001 exists in Acme\"}");

    assertThat(listed.size()).isEqualTo(1);
    assertThat(listed.get(0).path("invocationId").asString()).isEqualTo(id);
    assertThat(listed.get(0).path("state").asString()).isEqualTo("needs-reconciliation");
    assertThat(listed.get(0).path("arguments").path("amount").asInt()).isEqualTo(20);
    assertThat(settled.statusCode()).as(settled.body()).isEqualTo(200);
    assertThat(json(settled).path("state").asString()).isEqualTo("completed");
    assertThat(
            json(gateway.get("/v1/invocations?state=needs-reconciliation", OLIVIA))
                .path("invocations")
                .size())
        .isZero();
    assertThat(
            json(gateway.get("/v1/invocations?state=completed", OLIVIA)).path("invocations").size())
        .isEqualTo(1);
    AuditRecord last = gateway.audit().getLast();
    assertThat(last.entry().invocationId()).isEqualTo(id);
    assertThat(last.entry().state()).isEqualTo("COMPLETED");
    assertThat(last.entry().reasons()).contains("settled-by:ops-olivia");
    assertThat(last.entry().errorKind()).isEqualTo("settled");
    assertThat(last.entry().errorDetail())
        .contains("settled as completed by ops-olivia", "refund R-7001 exists");
    assertThat(last.entry().recordedAt()).isNotNull();
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(AuditVerifier.verify(gateway.assembly().auditLog()).intact()).isTrue();
  }

  @Test
  void settlingNeedsAKnownOutcomeAReasonAnApproverAndACallAwaitingReconciliation()
      throws Exception {
    String id = Interrupted.refund(data, null, "orders_refund", ARGS);
    gateway = GatewayFixture.start(data);
    String done =
        json(gateway.invoke(
                "orders_get",
                GatewayFixture.BILLING_KEY,
                "{\"arguments\":{\"orderId\":\"O-5001\"}}"))
            .path("invocationId")
            .asString();
    int records = gateway.audit().size();

    assertProblem(
        gateway.post("/v1/invocations/" + id + ":settle", OLIVIA, "{\"as\":\"completed\"}"),
        400,
        "malformed-request");
    assertProblem(
        gateway.post(
            "/v1/invocations/" + id + ":settle",
            OLIVIA,
            "{\"as\":\"completed\",\"reason\":\"  \"}"),
        400,
        "malformed-request");
    assertProblem(
        gateway.post(
            "/v1/invocations/" + id + ":settle", OLIVIA, "{\"as\":\"maybe\",\"reason\":\"x\"}"),
        400,
        "malformed-request");
    assertProblem(
        gateway.post(
            "/v1/invocations/" + id + ":settle",
            GatewayFixture.BILLING_KEY,
            "{\"as\":\"failed\",\"reason\":\"x\"}"),
        403,
        "not-an-approver");
    assertProblem(
        gateway.get("/v1/invocations", GatewayFixture.BILLING_KEY), 403, "not-an-approver");
    assertProblem(gateway.get("/v1/invocations?state=sideways", OLIVIA), 400, "malformed-request");
    assertProblem(
        gateway.post(
            "/v1/invocations/" + done + ":settle", OLIVIA, "{\"as\":\"failed\",\"reason\":\"x\"}"),
        409,
        "invocation-not-reconcilable");
    assertProblem(
        gateway.post("/v1/invocations/nope:settle", OLIVIA, "{\"as\":\"failed\",\"reason\":\"x\"}"),
        404,
        "not-found");

    assertThat(gateway.audit()).hasSize(records);
    assertThat(json(gateway.get("/v1/invocations/" + id, OLIVIA)).path("state").asString())
        .isEqualTo("needs-reconciliation");
  }

  @Test
  void ofTwoOperatorsSettlingAtOnceExactlyOneWins() throws Exception {
    String id = Interrupted.refund(data, null, "orders_refund", ARGS);
    gateway = GatewayFixture.start(data);
    List<Integer> statuses =
        gateway
            .postAtOnce(
                "/v1/invocations/" + id + ":settle",
                "{\"as\":\"failed\",\"reason\":\"no refund in Acme\"}",
                List.of(OLIVIA, OMAR))
            .stream()
            .map(HttpResponse::statusCode)
            .sorted()
            .toList();

    assertThat(statuses).containsExactly(200, 409);
    assertThat(
            gateway.audit().stream()
                .filter(
                    a -> a.entry().reasons().stream().anyMatch(r -> r.startsWith("settled-by:"))))
        .hasSize(1);
  }

  @Test
  void anAgentRetryingASettledFailedCallGetsTheInterruptedFailureAndNothingRuns() throws Exception {
    String id = Interrupted.refund(data, "refund-42", "orders_refund", ARGS);
    gateway = GatewayFixture.start(data);
    HttpResponse<String> before =
        gateway.invoke(
            "orders_refund",
            GatewayFixture.BILLING_KEY,
            "{\"arguments\":" + ARGS + "}",
            "Idempotency-Key",
            "refund-42");
    gateway.post(
        "/v1/invocations/" + id + ":settle",
        OLIVIA,
        "{\"as\":\"failed\",\"reason\":\"no refund in Acme\"}");

    HttpResponse<String> after =
        gateway.invoke(
            "orders_refund",
            GatewayFixture.BILLING_KEY,
            "{\"arguments\":" + ARGS + "}",
            "Idempotency-Key",
            "refund-42");

    assertProblem(before, 409, "idempotency-key-in-flight");
    assertProblem(after, 502, "interrupted");
    assertThat(json(after).path("detail").asString())
        .contains("settled as failed by ops-olivia", "no refund in Acme");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }
}
