package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.assertProblem;
import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A quorum of approvers through a real gateway in front of Acme: the demo with a third approver and
 * {@code approvals.quorum} asking two distinct approvers for every {@code orders_*} call.
 */
class ApprovalQuorumApiTest {
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";
  private static final String OLIVIA = GatewayFixture.APPROVER_KEY;
  private static final String OMAR = GatewayFixture.SECOND_APPROVER_KEY;
  private static final String OSCAR = "pcl_test_approver_oscar_key_not_for_production";
  private static final String OSCAR_HASH =
      "sha256:e302d379d541cd53232e68176b68b8f32c87d255b3eeca0a57de2bb6f55fc59e";

  @TempDir Path data;
  private GatewayFixture gateway;

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void theFirstVoteKeepsTheCallPendingAndTheSecondRunsItExactlyOnce() throws Exception {
    gateway = start(true);
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    String approvalId = parked.path("approvalId").asString();
    String invocationId = parked.path("invocationId").asString();

    HttpResponse<String> first =
        gateway.approve(approvalId, OLIVIA, "{\"reason\":\"customer is right\"}");

    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    assertThat(json(first).path("status").asString()).isEqualTo("pending");
    assertThat(json(first).path("required").asInt()).isEqualTo(2);
    assertThat(json(first).path("remaining").asInt()).isEqualTo(1);
    assertThat(json(first).path("detail").asString()).contains("1 more approval");
    assertThat(json(first).at("/votes/0/approver").asString()).isEqualTo("ops-olivia");
    assertThat(json(first).at("/votes/0/reason").asString()).isEqualTo("customer is right");
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(
            json(gateway.get("/v1/invocations/" + invocationId, GatewayFixture.BILLING_KEY))
                .path("state")
                .asString())
        .isEqualTo("awaiting-approval");

    HttpResponse<String> second = gateway.approve(approvalId, OMAR, "");
    HttpResponse<String> third = gateway.approve(approvalId, OSCAR, "{}");

    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    assertThat(json(second).path("state").asString()).isEqualTo("completed");
    assertProblem(third, 409, "approval-decided");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
    JsonNode shown = json(gateway.get("/v1/approvals/" + approvalId, OSCAR));
    assertThat(shown.path("status").asString()).isEqualTo("approved");
    assertThat(shown.path("approvals").asInt()).isEqualTo(2);
    assertThat(shown.path("votes").findValuesAsString("approver"))
        .containsExactly("ops-olivia", "ops-omar");
    List<String> trail = trail(invocationId);
    assertThat(trail)
        .containsExactly(
            "AWAITING_APPROVAL [approval]",
            "AWAITING_APPROVAL [approval, voted-by:ops-olivia, votes:1/2]",
            "AWAITING_APPROVAL [approval, approved-by:ops-olivia, approved-by:ops-omar, votes:2/2]",
            "EXECUTING",
            "COMPLETED");
    assertThat(AuditVerifier.verify(gateway.assembly().auditLog()).intact()).isTrue();
  }

  @Test
  void theCommandLineSaysHowManyMoreApprovalsAreNeeded() {
    gateway = start(true);
    String id =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND))
            .path("approvalId")
            .asString();
    String server = gateway.baseUri().toString();

    CliRun first = CliRun.of("approvals", "approve", id, "--server", server, "--key", OLIVIA);
    CliRun show = CliRun.of("approvals", "show", id, "--server", server, "--key", OMAR);
    CliRun again = CliRun.of("approvals", "approve", id, "--server", server, "--key", OLIVIA);
    CliRun second = CliRun.of("approvals", "approve", id, "--server", server, "--key", OMAR);

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out()).contains("vote recorded (1 of 2); 1 more approval(s)");
    assertThat(show.out())
        .contains("Approvals:  1 of 2 (1 more needed)", "Votes:      ops-olivia at ");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("already-voted (409)");
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out()).contains("approved by ops-omar", "completed");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void theSameApproverVotingTwiceIsRefusedAndTheCallStaysPending() throws Exception {
    gateway = start(true);
    String approvalId =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND))
            .path("approvalId")
            .asString();

    gateway.approve(approvalId, OLIVIA, "{}");
    int recorded = gateway.audit().size();
    HttpResponse<String> twice = gateway.approve(approvalId, OLIVIA, "{}");

    assertProblem(twice, 409, "already-voted");
    assertThat(json(twice).path("detail").asString()).contains("ops-olivia", "1 other approver");
    JsonNode shown = json(gateway.get("/v1/approvals/" + approvalId, OMAR));
    assertThat(shown.path("status").asString()).isEqualTo("pending");
    assertThat(shown.path("votes").size()).isEqualTo(1);
    assertThat(gateway.audit()).hasSize(recorded);
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void aDenialAfterOneVoteEndsTheCallDenied() throws Exception {
    gateway = start(true);
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    String approvalId = parked.path("approvalId").asString();

    gateway.approve(approvalId, OLIVIA, "{}");
    HttpResponse<String> denied =
        gateway.post("/v1/approvals/" + approvalId + ":deny", OMAR, "{\"reason\":\"duplicate\"}");
    HttpResponse<String> late = gateway.approve(approvalId, OSCAR, "{}");

    assertThat(denied.statusCode()).as(denied.body()).isEqualTo(200);
    assertThat(json(denied).path("status").asString()).isEqualTo("denied");
    assertProblem(late, 409, "approval-decided");
    assertThat(
            json(gateway.get(
                    "/v1/invocations/" + parked.path("invocationId").asString(),
                    GatewayFixture.BILLING_KEY))
                .path("state")
                .asString())
        .isEqualTo("denied");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void fourEyesAppliesToEveryVoter() {
    gateway = start(true);
    String body =
        "{\"actor\":{\"userId\":\"ops-omar\"},\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,"
            + "\"reason\":\"late delivery\"}}";
    String approvalId =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, body))
            .path("approvalId")
            .asString();

    HttpResponse<String> olivia = gateway.approve(approvalId, OLIVIA, "{}");
    HttpResponse<String> omar = gateway.approve(approvalId, OMAR, "{}");

    assertThat(olivia.statusCode()).as(olivia.body()).isEqualTo(202);
    assertProblem(omar, 403, "four-eyes");
    assertThat(gateway.acme().requestLog()).isEmpty();
    HttpResponse<String> oscar = gateway.approve(approvalId, OSCAR, "{}");
    assertThat(oscar.statusCode()).as(oscar.body()).isEqualTo(200);
    assertThat(gateway.acme().requestLog()).hasSize(1);
  }

  @Test
  void ofTwoFinalVotesRacingOnlyOneRunsTheCall() {
    gateway = start(true);
    String approvalId =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND))
            .path("approvalId")
            .asString();
    assertThat(gateway.approve(approvalId, OLIVIA, "{}").statusCode()).isEqualTo(202);
    List<HttpResponse<String>> answers =
        gateway.postAtOnce("/v1/approvals/" + approvalId + ":approve", "{}", List.of(OMAR, OSCAR));

    assertThat(answers.stream().map(HttpResponse::statusCode).sorted().toList())
        .containsExactly(200, 409);
    assertThat(
            answers.stream()
                .filter(a -> a.statusCode() == 409)
                .map(a -> json(a).path("type").asString()))
        .containsExactly("urn:portcullis:problem:approval-decided");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void theRequiredNumberIsFixedWhenTheCallIsParked() throws Exception {
    gateway = start(true);
    String approvalId =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND))
            .path("approvalId")
            .asString();
    gateway.close();
    gateway = null;
    gateway = start(false);
    String single =
        json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND))
            .path("approvalId")
            .asString();

    HttpResponse<String> parkedUnderQuorum = gateway.approve(approvalId, OLIVIA, "{}");
    HttpResponse<String> parkedAfter = gateway.approve(single, OLIVIA, "{}");

    assertThat(parkedUnderQuorum.statusCode()).as(parkedUnderQuorum.body()).isEqualTo(202);
    assertThat(json(parkedUnderQuorum).path("required").asInt()).isEqualTo(2);
    assertThat(parkedAfter.statusCode()).as(parkedAfter.body()).isEqualTo(200);
    assertThat(gateway.acme().requestLog()).hasSize(1);
  }

  @Test
  void anEditStartsTheCountAgainWithTheEditorsVote() throws Exception {
    gateway = start(true);
    JsonNode parked = json(gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND));
    String approvalId = parked.path("approvalId").asString();

    gateway.approve(approvalId, OLIVIA, "{}");
    HttpResponse<String> edited =
        gateway.approve(
            approvalId,
            OMAR,
            "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":110,\"reason\":\"late delivery, partly\"}}");

    assertThat(edited.statusCode()).as(edited.body()).isEqualTo(202);
    JsonNode view = json(edited);
    assertThat(view.path("approvals").asInt()).isEqualTo(1);
    assertThat(view.path("remaining").asInt()).isEqualTo(1);
    assertThat(view.at("/votes/0/approver").asString()).isEqualTo("ops-olivia");
    assertThat(view.at("/votes/0/counts").asBoolean()).isFalse();
    assertThat(view.at("/votes/1/approver").asString()).isEqualTo("ops-omar");
    assertThat(view.at("/votes/1/counts").asBoolean()).isTrue();
    assertThat(view.at("/arguments/amount").asInt()).isEqualTo(110);
    assertThat(view.at("/edited/originalArguments/amount").asInt()).isEqualTo(120);
    assertThat(gateway.acme().requestLog()).isEmpty();

    HttpResponse<String> stale =
        gateway.approve(
            approvalId,
            OSCAR,
            "{\"argumentsDigest\":\""
                + view.at("/edited/originalArgumentsDigest").asString()
                + "\"}");
    assertProblem(stale, 409, "approval-arguments-changed");

    HttpResponse<String> again =
        gateway.approve(
            approvalId,
            OLIVIA,
            "{\"argumentsDigest\":\"" + view.path("argumentsDigest").asString() + "\"}");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(json(again).path("state").asString()).isEqualTo("completed");
    assertThat(json(again).at("/result/amount").asDouble()).isEqualTo(110.0);
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  /**
   * The demo with a third approver and, when {@code quorum}, two approvers for every orders_* call.
   */
  private GatewayFixture start(boolean quorum) {
    try {
      Path dir = Files.createDirectories(data.resolve("config-" + quorum));
      Path demo = GatewayFixture.DEMO_CONFIG.getParent();
      Files.createDirectories(dir.resolve("policies"));
      try (var files = Files.list(demo.resolve("policies"))) {
        for (Path p : files.toList()) {
          Files.copy(p, dir.resolve("policies").resolve(p.getFileName().toString()));
        }
      }
      String yaml =
          Files.readString(GatewayFixture.DEMO_CONFIG)
              .replace(
                  "\napprovals:\n  timeout: 1h\n",
                  "  - id: ops-oscar\n    keys: ["
                      + OSCAR_HASH
                      + "]\n\napprovals:\n"
                      + "  timeout: 1h\n"
                      + (quorum
                          ? "  quorum:\n    - tools: [\"orders_*\"]\n      approvers: 2\n"
                          : ""));
      assertThat(yaml).contains("ops-oscar");
      Files.writeString(dir.resolve("portcullis.yaml"), yaml);
      return GatewayFixture.start(data, dir.resolve("portcullis.yaml"), Map.of());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each audit record of the call: its state and its approval reasons, ids left out. */
  private List<String> trail(String invocationId) throws Exception {
    return gateway.audit().stream()
        .filter(a -> a.entry().invocationId().equals(invocationId))
        .map(
            a -> {
              List<String> marks =
                  a.entry().reasons().stream()
                      .filter(
                          r ->
                              r.startsWith("approval:")
                                  || r.startsWith("voted-by:")
                                  || r.startsWith("approved-by:")
                                  || r.startsWith("votes:"))
                      .map(r -> r.startsWith("approval:") ? "approval" : r)
                      .toList();
              return a.entry().state()
                  + (marks.isEmpty() || !a.entry().state().equals("AWAITING_APPROVAL")
                      ? ""
                      : " " + marks);
            })
        .toList();
  }
}
