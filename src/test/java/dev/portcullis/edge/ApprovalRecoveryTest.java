package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.audit.AuditLogContract;
import dev.portcullis.invocation.Transition;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcApprovalStore;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Invocations;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * No stuck calls. The last vote and the call's move are two transactions (the move decides the
 * request); a gateway that stopped between them leaves the request pending with its quorum, which
 * another approval or the sweep resumes, once. A request a gateway from before the ledger decided
 * without moving its call is finished by the sweep too, not left awaiting approval for ever behind
 * a request that refuses every further decision.
 */
class ApprovalRecoveryTest {
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";

  @TempDir Path data;
  private GatewayFixture gateway;

  @BeforeEach
  void start() {
    gateway = GatewayFixture.start(data);
  }

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
  }

  /**
   * Parks a refund, then writes what a gateway had written when it stopped: the quorum's last vote
   * (APPROVED), or a decision alone as a gateway from before the ledger wrote it (DENIED).
   */
  private JsonNode parkedThenDecidedOnly(ApprovalStatus decision, String reason) throws Exception {
    HttpResponse<String> r = gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode parked = json(r);
    String approvalId = parked.path("approvalId").asString();
    String digest =
        json(gateway.get("/v1/approvals/" + approvalId, GatewayFixture.APPROVER_KEY))
            .path("argumentsDigest")
            .asString();
    try (EmbeddedDatabase db = EmbeddedDatabase.open(data)) {
      if (decision == ApprovalStatus.APPROVED) {
        JdbcApprovalStore store = new JdbcApprovalStore(new JdbcLedger(db, Invocations.JSON));
        assertThat(
                store
                    .vote(
                        new ApprovalVote(approvalId, "ops-olivia", digest, Instant.now(), null),
                        b ->
                            Transition.note(
                                AuditLogContract.entry(
                                    parked.path("invocationId").asString(), "AWAITING_APPROVAL")))
                    .kind())
            .isEqualTo(ApprovalStore.Ballot.Kind.QUORUM);
      } else {
        try (Connection c = db.dataSource().getConnection();
            PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE approvals SET status = ?, decided_by = 'ops-olivia', decided_at = ?, reason = ?"
                        + " WHERE approval_id = ?")) {
          ps.setString(1, decision.wireName());
          ps.setString(2, Instant.now().toString());
          ps.setString(3, reason);
          ps.setString(4, approvalId);
          assertThat(ps.executeUpdate()).isOne();
        }
      }
    }
    return parked;
  }

  private String state(JsonNode parked) {
    return json(gateway.get(
            "/v1/invocations/" + parked.path("invocationId").asString(),
            GatewayFixture.BILLING_KEY))
        .path("state")
        .asString();
  }

  @Test
  void anApprovedCallThatNeverResumedIsStillPendingAndResumesOnTheNextApproval() throws Exception {
    JsonNode parked = parkedThenDecidedOnly(ApprovalStatus.APPROVED, null);
    assertThat(state(parked)).isEqualTo("awaiting-approval");
    HttpResponse<String> retry =
        gateway.post(
            "/v1/approvals/" + parked.path("approvalId").asString() + ":approve",
            GatewayFixture.SECOND_APPROVER_KEY,
            "{}");
    assertThat(retry.statusCode())
        .as("an approval retried by another approver resumes it: " + retry.body())
        .isEqualTo(200);
    assertThat(state(parked)).isEqualTo("completed");
    assertThat(gateway.assembly().approvalFinisher().finishDecided(Duration.ZERO))
        .as("finished once")
        .isZero();
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void anApprovedCallThatNeverResumedRunsOnceWhenSweptAndItsRequestIsApproved() throws Exception {
    JsonNode parked = parkedThenDecidedOnly(ApprovalStatus.APPROVED, null);

    int finished = gateway.assembly().approvalFinisher().finishDecided(Duration.ZERO);

    assertThat(finished).isEqualTo(1);
    assertThat(state(parked)).isEqualTo("completed");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
    assertThat(gateway.assembly().approvalFinisher().finishDecided(Duration.ZERO))
        .as("finished once")
        .isZero();
    assertThat(gateway.acme().requestLog()).hasSize(1);
    assertThat(gateway.audit())
        .anySatisfy(
            a ->
                assertThat(a.entry().reasons())
                    .contains("approval:" + parked.path("approvalId").asString()));
    assertThat(
            json(gateway.get(
                    "/v1/approvals/" + parked.path("approvalId").asString(),
                    GatewayFixture.APPROVER_KEY))
                .path("status")
                .asString())
        .isEqualTo("approved");
  }

  @Test
  void aDeniedCallThatWasNeverEndedEndsDeniedWhenSwept() throws Exception {
    JsonNode parked = parkedThenDecidedOnly(ApprovalStatus.DENIED, "not without a receipt");

    assertThat(gateway.assembly().approvalFinisher().finishDecided(Duration.ZERO)).isEqualTo(1);

    assertThat(state(parked)).isEqualTo("denied");
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(gateway.audit().getLast().entry().reasons()).contains("denied-by:ops-olivia");
  }

  @Test
  void aFreshDecisionIsLeftToTheApproverStillResumingIt() throws Exception {
    JsonNode parked = parkedThenDecidedOnly(ApprovalStatus.APPROVED, null);

    assertThat(gateway.assembly().approvalFinisher().finishDecided(Duration.ofMinutes(1))).isZero();

    assertThat(state(parked)).isEqualTo("awaiting-approval");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void theAuditChainStaysIntact() throws Exception {
    parkedThenDecidedOnly(ApprovalStatus.APPROVED, null);
    gateway.assembly().approvalFinisher().finishDecided(Duration.ZERO);
    gateway.close();
    gateway = null;

    CliRun verify = CliRun.of("audit", "verify", "--data", data.toString());

    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("audit chain intact");
  }
}
