package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.assertProblem;
import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditChain;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.RevertConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Before-state capture and revert end to end: a real gateway in front of Acme, refunds and their
 * cancellation.
 */
class RevertApiTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":20,\"reason\":\"late delivery\"}}";
  private static final String OLIVIA = GatewayFixture.APPROVER_KEY;
  private static final String OMAR = GatewayFixture.SECOND_APPROVER_KEY;
  private static final String BILLING = GatewayFixture.BILLING_KEY;

  @TempDir Path data;
  @TempDir Path configDir;
  private GatewayFixture gateway;

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private void start(boolean forbidReverts) {
    gateway = GatewayFixture.start(data, RevertConfig.write(configDir, forbidReverts), Map.of());
  }

  @Test
  void theBeforeStateIsReadAndKeptBeforeTheWriteAndOnlyItsDigestIsAudited() throws Exception {
    start(false);

    HttpResponse<String> r = gateway.invoke("orders_refund", BILLING, REFUND);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = json(r).path("invocationId").asString();
    assertThat(gateway.acme().requestLog())
        .containsExactly("GET /api/orders/O-5001", "POST /api/orders/O-5001/refunds");
    JsonNode shown = json(gateway.get("/v1/invocations/" + id, OLIVIA));
    assertThat(shown.at("/before/tool").asString()).isEqualTo("orders_get");
    assertThat(shown.at("/before/arguments/orderId").asString()).isEqualTo("O-5001");
    JsonNode state = shown.at("/before/state");
    assertThat(state.path("id").asString()).isEqualTo("O-5001");
    assertThat(state.has("customerId")).as("the read's result filter applies").isFalse();
    String digest = AuditChain.sha256Hex(JSON.writeValueAsString(state));
    assertThat(shown.at("/before/digest").asString()).isEqualTo(digest);
    assertThat(shown.path("arguments").path("amount").asInt()).isEqualTo(20);
    List<AuditRecord> trail =
        gateway.audit().stream().filter(a -> a.entry().invocationId().equals(id)).toList();
    assertThat(trail)
        .extracting(a -> a.entry().state())
        .containsExactly("EXECUTING", "EXECUTING", "COMPLETED");
    assertThat(trail.get(1).entry().reasons())
        .contains("before-state:orders_get", "before-digest:sha256:" + digest);
    assertThat(trail.toString()).doesNotContain(state.path("status").asString());
    JsonNode agentView = json(gateway.get("/v1/invocations/" + id, BILLING));
    assertThat(agentView.has("before")).isFalse();
    assertThat(agentView.has("arguments")).isFalse();
  }

  @Test
  void whenTheBeforeStateCannotBeReadTheWriteIsNotRunAndUpstreamSeesNoWrite() throws Exception {
    start(false);

    HttpResponse<String> r =
        gateway.invoke(
            "orders_refund",
            BILLING,
            "{\"arguments\":{\"orderId\":\"O-9999\",\"amount\":20,\"reason\":\"late delivery\"}}");

    assertProblem(r, 502, "before-state-unavailable");
    assertThat(json(r).path("detail").asString()).contains("the write was not run", "orders_get");
    assertThat(gateway.acme().requestLog()).containsExactly("GET /api/orders/O-9999");
    String id = json(r).path("invocationId").asString();
    assertThat(json(gateway.get("/v1/invocations/" + id, OLIVIA)).path("state").asString())
        .isEqualTo("failed");
    assertThat(gateway.audit().getLast().entry().errorKind()).isEqualTo("before_state_unavailable");
  }

  @Test
  void revertRunsTheCompensationThroughThePipelineOnceWithArgumentsFromArgsBeforeAndResult()
      throws Exception {
    start(false);
    JsonNode refund = json(gateway.invoke("orders_refund", BILLING, REFUND));
    String id = refund.path("invocationId").asString();
    String refundId = refund.at("/result/refundId").asString();
    assertThat(refundId).startsWith("R-");

    HttpResponse<String> first = gateway.post("/v1/invocations/" + id + ":revert", OLIVIA, "{}");
    HttpResponse<String> second = gateway.post("/v1/invocations/" + id + ":revert", OMAR, "{}");

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    JsonNode reverted = json(first);
    assertThat(reverted.path("state").asString()).isEqualTo("completed");
    assertThat(reverted.path("tool").asString()).isEqualTo("orders_refund_cancel");
    assertThat(reverted.at("/result/status").asString()).isEqualTo("cancelled");
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    assertThat(json(second).path("revertInvocationId").asString())
        .isEqualTo(reverted.path("revertInvocationId").asString());
    assertThat(json(second).path("state").asString()).isEqualTo("completed");
    assertThat(gateway.acme().requestLog())
        .containsExactly(
            "GET /api/orders/O-5001",
            "POST /api/orders/O-5001/refunds",
            "POST /api/orders/O-5001/refunds/" + refundId + "/cancel");
    String compId = reverted.path("revertInvocationId").asString();
    AuditRecord done =
        gateway.audit().stream()
            .filter(
                a ->
                    a.entry().invocationId().equals(compId)
                        && a.entry().state().equals("COMPLETED"))
            .findFirst()
            .orElseThrow();
    assertThat(done.entry().channel()).isEqualTo("revert");
    assertThat(done.entry().agentId()).isEqualTo("billing-assistant");
    assertThat(done.entry().userId()).isEqualTo("ops-olivia");
    assertThat(done.entry().requestId()).isEqualTo("reverts:" + id);
    assertThat(done.entry().reasons()).contains("billing-orders", "operators-revert-refunds");
    // the arguments sent are in the record written before the effect (the ending names them by
    // digest only)
    AuditRecord executing =
        gateway.audit().stream()
            .filter(
                a ->
                    a.entry().invocationId().equals(compId)
                        && a.entry().state().equals("EXECUTING"))
            .findFirst()
            .orElseThrow();
    assertThat(executing.entry().argumentsDigest()).isEqualTo(done.entry().argumentsDigest());
    JsonNode sent = JSON.readTree(executing.entry().arguments());
    String before =
        json(gateway.get("/v1/invocations/" + id, OLIVIA)).at("/before/state/status").asString();
    assertThat(sent.path("refundId").asString()).isEqualTo(refundId);
    assertThat(sent.path("reason").asString())
        .isEqualTo("reverts a refund of 20; order was " + before);
    assertThat(
            gateway.audit().stream()
                .filter(a -> a.entry().invocationId().equals(id))
                .flatMap(a -> a.entry().reasons().stream()))
        .contains("revert-by:ops-olivia", "reverted-with:" + compId);
    assertThat(AuditVerifier.verify(gateway.assembly().auditLog()).intact()).isTrue();
  }

  @Test
  void aPolicyThatForbidsTheCompensationDeniesTheRevertAndTheDenialIsAudited() throws Exception {
    start(true);
    String id =
        json(gateway.invoke("orders_refund", BILLING, REFUND)).path("invocationId").asString();

    HttpResponse<String> r = gateway.post("/v1/invocations/" + id + ":revert", OLIVIA, "{}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).path("state").asString()).isEqualTo("denied");
    assertThat(json(r).at("/error/type").asString())
        .isEqualTo("urn:portcullis:problem:denied-by-policy");
    assertThat(json(r).at("/error/rules").toString()).contains("no-reverts");
    assertThat(gateway.acme().requestLog()).noneMatch(line -> line.endsWith("/cancel"));
    AuditRecord denied =
        gateway.audit().stream()
            .filter(a -> a.entry().channel().equals("revert") && a.entry().state().equals("DENIED"))
            .findFirst()
            .orElseThrow();
    assertThat(denied.entry().reasons()).contains("no-reverts");
    assertThat(
            json(gateway.post("/v1/invocations/" + id + ":revert", OMAR, "{}"))
                .path("state")
                .asString())
        .isEqualTo("denied");
    assertThat(AuditVerifier.verify(gateway.assembly().auditLog()).intact()).isTrue();
  }

  @Test
  void aRevertThePolicyHoldsBackWaitsForAnotherApproverAndThenRunsOnce() throws Exception {
    gateway = GatewayFixture.start(data, RevertConfig.writeApprovingReverts(configDir), Map.of());
    String id =
        json(gateway.invoke("orders_refund", BILLING, REFUND)).path("invocationId").asString();

    JsonNode parked = json(gateway.post("/v1/invocations/" + id + ":revert", OLIVIA, "{}"));
    HttpResponse<String> again = gateway.post("/v1/invocations/" + id + ":revert", OMAR, "{}");
    String approvalId = parked.path("approvalId").asString();
    HttpResponse<String> selfApproved =
        gateway.post("/v1/approvals/" + approvalId + ":approve", OLIVIA, "{}");
    HttpResponse<String> approved =
        gateway.post("/v1/approvals/" + approvalId + ":approve", OMAR, "{}");

    assertThat(parked.path("state").asString()).isEqualTo("awaiting-approval");
    assertThat(json(again).at("/error/type").asString())
        .isEqualTo("urn:portcullis:problem:idempotency-key-in-flight");
    assertProblem(selfApproved, 403, "four-eyes");
    assertThat(json(approved).path("state").asString()).as(approved.body()).isEqualTo("completed");
    assertThat(
            json(gateway.post("/v1/invocations/" + id + ":revert", OMAR, "{}"))
                .path("state")
                .asString())
        .isEqualTo("completed");
    assertThat(gateway.acme().requestLog()).filteredOn(l -> l.endsWith("/cancel")).hasSize(1);
    assertThat(AuditVerifier.verify(gateway.assembly().auditLog()).intact()).isTrue();
  }

  @Test
  void revertIsRefusedForAReadAFailedCallAnUnknownIdAndAnAgent() throws Exception {
    start(false);
    String read =
        json(gateway.invoke("orders_get", BILLING, "{\"arguments\":{\"orderId\":\"O-5001\"}}"))
            .path("invocationId")
            .asString();
    String failed =
        json(gateway.invoke(
                "orders_refund",
                BILLING,
                "{\"arguments\":{\"orderId\":\"O-9999\",\"amount\":20,\"reason\":\"late delivery\"}}"))
            .path("invocationId")
            .asString();
    String done =
        json(gateway.invoke("orders_refund", BILLING, REFUND)).path("invocationId").asString();
    int before = gateway.acme().requestLog().size();

    assertProblem(
        gateway.post("/v1/invocations/" + read + ":revert", OLIVIA, "{}"), 409, "no-compensation");
    assertProblem(
        gateway.post("/v1/invocations/" + failed + ":revert", OLIVIA, "{}"),
        409,
        "invocation-not-completed");
    assertProblem(gateway.post("/v1/invocations/nope:revert", OLIVIA, "{}"), 404, "not-found");
    assertProblem(
        gateway.post("/v1/invocations/" + done + ":revert", BILLING, "{}"), 403, "not-an-approver");
    assertProblem(
        gateway.post("/v1/invocations/" + done + ":undo", OLIVIA, "{}"), 404, "not-found");
    assertThat(gateway.acme().requestLog()).hasSize(before);
  }

  @Test
  void anAgentCannotClaimTheIdempotencyKeyOfARevert() {
    start(false);

    HttpResponse<String> r =
        gateway.invoke(
            "orders_get",
            BILLING,
            "{\"arguments\":{\"orderId\":\"O-5001\"}}",
            "Idempotency-Key",
            "revert:some-invocation");

    assertProblem(r, 400, "malformed-request");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }
}
