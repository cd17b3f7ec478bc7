package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.assertProblem;
import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.TestClock;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Approvals end to end through a real gateway in front of Acme: the demo's refunds over 100. */
class ApprovalApiTest {
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";
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
  void parksARefundOverOneHundredWith202AndTheInvocationsLocation() throws Exception {
    gateway = GatewayFixture.start(data);

    HttpResponse<String> r = gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String invocationId = json(r).path("invocationId").asString();
    String approvalId = json(r).path("approvalId").asString();
    assertThat(approvalId).isNotBlank();
    assertThat(r.headers().firstValue("Location")).hasValue("/v1/invocations/" + invocationId);
    assertThat(gateway.acme().requestLog()).isEmpty();
    JsonNode state =
        json(gateway.get("/v1/invocations/" + invocationId, GatewayFixture.BILLING_KEY));
    assertThat(state.path("state").asString()).isEqualTo("awaiting-approval");
    assertThat(state.at("/decision/effect").asString()).isEqualTo("require_approval");
    AuditRecord parked = gateway.audit().getLast();
    assertThat(parked.entry().state()).isEqualTo("AWAITING_APPROVAL");
    assertThat(parked.entry().reasons())
        .contains("refunds-over-100-need-approval", "approval:" + approvalId);

    JsonNode listed = json(gateway.get("/v1/approvals?status=pending", OLIVIA)).path("approvals");
    assertThat(listed.size()).isEqualTo(1);
    JsonNode shown = json(gateway.get("/v1/approvals/" + approvalId, OLIVIA));
    assertThat(shown.path("status").asString()).isEqualTo("pending");
    assertThat(shown.path("tool").asString()).isEqualTo("orders_refund");
    assertThat(shown.path("agent").asString()).isEqualTo("billing-assistant");
    assertThat(shown.at("/arguments/amount").asInt()).isEqualTo(120);
    assertThat(shown.path("reasons").toString()).contains("refunds-over-100-need-approval");
    assertThat(shown.path("deadline").asString()).isNotBlank();
  }

  @Test
  void approvingRunsTheStoredCallExactlyOnceAndASecondApprovalIsAConflict() throws Exception {
    gateway = GatewayFixture.start(data);
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    String approvalId = parked.path("approvalId").asString();

    HttpResponse<String> approved =
        gateway.post("/v1/approvals/" + approvalId + ":approve", OLIVIA, "{}");
    HttpResponse<String> again =
        gateway.post("/v1/approvals/" + approvalId + ":approve", OMAR, "{}");

    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).path("state").asString()).as(approved.body()).isEqualTo("completed");
    assertProblem(again, 409, "approval-decided");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
    JsonNode state =
        json(
            gateway.get(
                "/v1/invocations/" + parked.path("invocationId").asString(),
                GatewayFixture.BILLING_KEY));
    assertThat(state.path("state").asString()).isEqualTo("completed");
    List<String> trail =
        gateway.audit().stream()
            .filter(a -> a.entry().invocationId().equals(parked.path("invocationId").asString()))
            .map(
                a ->
                    a.entry().state()
                        + (a.entry().reasons().contains("approved-by:ops-olivia")
                            ? "+approved"
                            : ""))
            .toList();
    assertThat(trail)
        .containsExactly(
            "AWAITING_APPROVAL", "AWAITING_APPROVAL+approved", "EXECUTING", "COMPLETED");
    assertThat(dev.portcullis.audit.AuditVerifier.verify(gateway.assembly().auditLog()).intact())
        .isTrue();
  }

  @Test
  void ofTwoApproversRacingOnlyOneExecutesTheCall() throws Exception {
    gateway = GatewayFixture.start(data);
    String approvalId =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND))
            .path("approvalId")
            .asString();
    List<Integer> statuses =
        gateway
            .postAtOnce("/v1/approvals/" + approvalId + ":approve", "{}", List.of(OLIVIA, OMAR))
            .stream()
            .map(HttpResponse::statusCode)
            .sorted()
            .toList();

    assertThat(statuses).containsExactly(200, 409);
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void denyingEndsTheCallDeniedWithTheApproversReason() throws Exception {
    gateway = GatewayFixture.start(data);
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    String approvalId = parked.path("approvalId").asString();

    HttpResponse<String> denied =
        gateway.post(
            "/v1/approvals/" + approvalId + ":deny", OLIVIA, "{\"reason\":\"not our fault\"}");
    HttpResponse<String> late =
        gateway.post("/v1/approvals/" + approvalId + ":approve", OMAR, "{}");

    assertThat(denied.statusCode()).as(denied.body()).isEqualTo(200);
    assertProblem(late, 409, "approval-decided");
    assertThat(gateway.acme().requestLog()).isEmpty();
    JsonNode state =
        json(
            gateway.get(
                "/v1/invocations/" + parked.path("invocationId").asString(),
                GatewayFixture.BILLING_KEY));
    assertThat(state.path("state").asString()).isEqualTo("denied");
    assertThat(state.at("/error/type").asString())
        .isEqualTo("urn:portcullis:problem:approval-denied");
    assertThat(state.at("/error/detail").asString()).contains("ops-olivia", "not our fault");
    AuditRecord last = gateway.audit().getLast();
    assertThat(last.entry().state()).isEqualTo("DENIED");
    assertThat(last.entry().reasons()).contains("approval:" + approvalId, "denied-by:ops-olivia");
    assertThat(last.entry().errorDetail()).contains("not our fault");
    JsonNode shown = json(gateway.get("/v1/approvals/" + approvalId, OMAR));
    assertThat(shown.path("status").asString()).isEqualTo("denied");
    assertThat(shown.path("decidedBy").asString()).isEqualTo("ops-olivia");
  }

  @Test
  void aDenialNeedsAReason() {
    gateway = GatewayFixture.start(data);
    String approvalId =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND))
            .path("approvalId")
            .asString();

    assertProblem(
        gateway.post("/v1/approvals/" + approvalId + ":deny", OLIVIA, "{}"),
        400,
        "malformed-request");
  }

  @Test
  void theUserACallWasMadeForCannotApproveIt() {
    gateway = GatewayFixture.start(data);
    String body =
        "{\"actor\":{\"userId\":\"ops-olivia\"},\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,"
            + "\"reason\":\"late delivery\"}}";
    String approvalId =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, body))
            .path("approvalId")
            .asString();

    assertProblem(
        gateway.post("/v1/approvals/" + approvalId + ":approve", OLIVIA, "{}"), 403, "four-eyes");
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(gateway.post("/v1/approvals/" + approvalId + ":approve", OMAR, "{}").statusCode())
        .isEqualTo(200);
    assertThat(gateway.acme().requestLog()).hasSize(1);
  }

  @Test
  void noAgentCanApproveAndAnUnknownKeyIsUnauthenticated() {
    gateway = GatewayFixture.start(data);
    String approvalId =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND))
            .path("approvalId")
            .asString();

    assertProblem(
        gateway.post("/v1/approvals/" + approvalId + ":approve", GatewayFixture.BILLING_KEY, "{}"),
        403,
        "not-an-approver");
    assertProblem(gateway.get("/v1/approvals", GatewayFixture.SUPPORT_KEY), 403, "not-an-approver");
    assertProblem(
        gateway.post("/v1/approvals/" + approvalId + ":approve", "pcl_nobody", "{}"),
        401,
        "unauthenticated");
    assertProblem(gateway.get("/v1/approvals", null), 401, "unauthenticated");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anUnknownApprovalIsNotFound() {
    gateway = GatewayFixture.start(data);

    assertProblem(gateway.post("/v1/approvals/no-such-id:approve", OLIVIA, "{}"), 404, "not-found");
    assertProblem(gateway.get("/v1/approvals/no-such-id", OLIVIA), 404, "not-found");
  }

  @Test
  void aRequestPastItsDeadlineIsRefusedAndExpires() throws Exception {
    TestClock clock = new TestClock();
    gateway = GatewayFixture.start(data, GatewayFixture.DEMO_CONFIG, Map.of(), clock);
    JsonNode first = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    JsonNode second = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    clock.advance(Duration.ofMinutes(61));

    HttpResponse<String> late =
        gateway.post(
            "/v1/approvals/" + first.path("approvalId").asString() + ":approve", OLIVIA, "{}");
    int swept = gateway.assembly().approvalExpiry().sweep();

    assertProblem(late, 409, "approval-expired");
    assertThat(swept).isEqualTo(1);
    assertThat(gateway.acme().requestLog()).isEmpty();
    for (JsonNode parked : List.of(first, second)) {
      JsonNode state =
          json(
              gateway.get(
                  "/v1/invocations/" + parked.path("invocationId").asString(),
                  GatewayFixture.BILLING_KEY));
      assertThat(state.path("state").asString()).isEqualTo("expired");
      assertThat(
              json(gateway.get("/v1/approvals/" + parked.path("approvalId").asString(), OLIVIA))
                  .path("status")
                  .asString())
          .isEqualTo("expired");
    }
    assertThat(gateway.audit().stream().filter(a -> a.entry().state().equals("EXPIRED")).count())
        .isEqualTo(2);
  }

  @Test
  void listingAndShowingAnOverdueRequestShowItExpiredButLeaveTheExpiryToTheSweeper()
      throws Exception {
    TestClock clock = new TestClock();
    gateway = GatewayFixture.start(data, GatewayFixture.DEMO_CONFIG, Map.of(), clock);
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    String approvalId = parked.path("approvalId").asString();
    String invocation = "/v1/invocations/" + parked.path("invocationId").asString();
    int recordsBefore = gateway.audit().size();
    clock.advance(Duration.ofMinutes(61));

    JsonNode expired = json(gateway.get("/v1/approvals?status=expired", OLIVIA));
    JsonNode pending = json(gateway.get("/v1/approvals?status=pending", OLIVIA));
    JsonNode shown = json(gateway.get("/v1/approvals/" + approvalId, OLIVIA));
    String stateAfterReads =
        json(gateway.get(invocation, GatewayFixture.BILLING_KEY)).path("state").asString();
    int recordsAfterReads = gateway.audit().size();
    int swept = gateway.assembly().approvalExpiry().sweep();

    assertThat(expired.path("approvals").findValuesAsString("approvalId"))
        .containsExactly(approvalId);
    assertThat(pending.path("approvals").size()).isZero();
    assertThat(shown.path("status").asString()).isEqualTo("expired");
    assertThat(stateAfterReads).as("the reads moved nothing").isEqualTo("awaiting-approval");
    assertThat(recordsAfterReads).as("the reads recorded nothing").isEqualTo(recordsBefore);
    assertThat(swept).as("the request was still pending for the sweeper").isEqualTo(1);
    assertThat(json(gateway.get(invocation, GatewayFixture.BILLING_KEY)).path("state").asString())
        .isEqualTo("expired");
  }

  @Test
  void theDeadlineIsTheTimeoutAfterParkingAndTheRequestIsStillAnswerableAtIt() throws Exception {
    TestClock clock = new TestClock();
    gateway = GatewayFixture.start(data, GatewayFixture.DEMO_CONFIG, Map.of(), clock);
    java.time.Instant parkedAt = clock.instant();
    JsonNode onTime = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    JsonNode late = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    JsonNode shown =
        json(gateway.get("/v1/approvals/" + onTime.path("approvalId").asString(), OLIVIA));

    clock.advance(Duration.ofHours(1));
    HttpResponse<String> atDeadline =
        gateway.post(
            "/v1/approvals/" + onTime.path("approvalId").asString() + ":approve", OLIVIA, "{}");
    clock.advance(Duration.ofMillis(1));
    HttpResponse<String> afterIt =
        gateway.post(
            "/v1/approvals/" + late.path("approvalId").asString() + ":approve", OLIVIA, "{}");

    assertThat(java.time.Instant.parse(shown.path("deadline").asString()))
        .isEqualTo(parkedAt.plus(Duration.ofHours(1)));
    assertThat(atDeadline.statusCode()).as(atDeadline.body()).isEqualTo(200);
    assertProblem(afterIt, 409, "approval-expired");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void aParkedCallSurvivesARestartAndIsApprovedAfterIt() throws Exception {
    gateway = GatewayFixture.start(data);
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    gateway.close();
    gateway = null;
    gateway = GatewayFixture.start(data);

    JsonNode pending = json(gateway.get("/v1/approvals?status=pending", OLIVIA)).path("approvals");
    HttpResponse<String> approved =
        gateway.post(
            "/v1/approvals/" + parked.path("approvalId").asString() + ":approve", OLIVIA, "{}");

    assertThat(pending.size()).isEqualTo(1);
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).path("state").asString()).as(approved.body()).isEqualTo("completed");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void anApprovalWithMembersItDoesNotKnowIsRefusedAndChangesNothing() throws Exception {
    gateway = GatewayFixture.start(data);
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    String approvalId = parked.path("approvalId").asString();
    int recorded = gateway.audit().size();

    HttpResponse<String> refused =
        gateway.post(
            "/v1/approvals/" + approvalId + ":approve",
            OLIVIA,
            "{\"args\":{\"orderId\":\"O-5001\",\"amount\":129}}");

    assertProblem(refused, 400, "malformed-request");
    assertThat(json(refused).path("detail").asString()).contains("'args'");
    assertThat(json(gateway.get("/v1/approvals/" + approvalId, OLIVIA)).path("status").asString())
        .isEqualTo("pending");
    assertThat(gateway.audit()).hasSize(recorded);
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anApprovedCallThePolicyNowForbidsIsDenied() throws Exception {
    Path config = demoCopy();
    gateway = GatewayFixture.start(data, config.resolve("portcullis.yaml"), Map.of());
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    gateway.close();
    gateway = null;
    Path billing = config.resolve("policies/billing.yaml");
    Files.writeString(
        billing,
        Files.readString(billing).replace("when: args.amount > 1000", "when: args.amount > 110"));
    gateway = GatewayFixture.start(data, config.resolve("portcullis.yaml"), Map.of());

    HttpResponse<String> approved =
        gateway.post(
            "/v1/approvals/" + parked.path("approvalId").asString() + ":approve", OLIVIA, "{}");

    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).path("state").asString()).isEqualTo("denied");
    assertThat(json(approved).at("/error/type").asString())
        .isEqualTo("urn:portcullis:problem:denied-by-policy");
    assertThat(json(approved).at("/error/rules/0").asString()).isEqualTo("no-refunds-over-1000");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anApprovedCallWhoseToolDescriptorChangedIsDenied() throws Exception {
    Path config = demoCopy();
    gateway = GatewayFixture.start(data, config.resolve("portcullis.yaml"), Map.of());
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    gateway.close();
    gateway = null;
    Path yaml = config.resolve("portcullis.yaml");
    Files.writeString(
        yaml,
        Files.readString(yaml).replace("Money leaves the company.", "Money leaves, quietly."));
    gateway = GatewayFixture.start(data, yaml, Map.of());

    HttpResponse<String> approved =
        gateway.post(
            "/v1/approvals/" + parked.path("approvalId").asString() + ":approve", OLIVIA, "{}");

    assertThat(json(approved).path("state").asString()).as(approved.body()).isEqualTo("denied");
    assertThat(json(approved).at("/error/type").asString())
        .isEqualTo("urn:portcullis:problem:descriptor-changed");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  /** The demo configuration and its policies, copied where a test may change them. */
  private Path demoCopy() throws Exception {
    Path dir = data.resolve("config");
    Path demo = GatewayFixture.DEMO_CONFIG.getParent();
    Files.createDirectories(dir.resolve("policies"));
    Files.copy(demo.resolve("portcullis.yaml"), dir.resolve("portcullis.yaml"));
    try (var files = Files.list(demo.resolve("policies"))) {
      for (Path p : files.toList()) {
        Files.copy(p, dir.resolve("policies").resolve(p.getFileName().toString()));
      }
    }
    return dir;
  }
}
