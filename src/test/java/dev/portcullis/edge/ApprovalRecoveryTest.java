package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcApprovalStore;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * No stuck calls: a request decided in the store whose parked call was never moved on (the gateway
 * stopped, or a store failed, right after the decision was written) is finished by the sweep, not
 * left awaiting approval for ever behind a request that refuses every further decision.
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

  /** Parks a refund, then writes a decision the way a gateway would just before it stopped. */
  private JsonNode parkedThenDecidedOnly(ApprovalStatus decision, String reason) throws Exception {
    HttpResponse<String> r = gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode parked = json(r);
    String approvalId = parked.path("approvalId").asString();
    String digest = json(gateway.get("/v1/approvals/" + approvalId, GatewayFixture.APPROVER_KEY))
        .path("argumentsDigest").asString();
    try (EmbeddedDatabase db = EmbeddedDatabase.open(data)) {
      JdbcApprovalStore store = new JdbcApprovalStore(db.dataSource());
      if (decision == ApprovalStatus.APPROVED) { // the quorum's last vote approves in the same compare-and-set
        assertThat(store.vote(new ApprovalVote(approvalId, "ops-olivia", digest, Instant.now(), null)).kind())
            .isEqualTo(ApprovalStore.Ballot.Kind.APPROVED);
      } else {
        assertThat(store.decide(approvalId, decision, "ops-olivia", Instant.now(), reason)).isTrue();
      }
    }
    return parked;
  }

  private String state(JsonNode parked) {
    return json(gateway.get("/v1/invocations/" + parked.path("invocationId").asString(), GatewayFixture.BILLING_KEY))
        .path("state").asString();
  }

  @Test
  void anApprovedCallThatNeverResumedRunsOnceWhenSwept() throws Exception {
    JsonNode parked = parkedThenDecidedOnly(ApprovalStatus.APPROVED, null);
    assertThat(state(parked)).isEqualTo("awaiting-approval");
    HttpResponse<String> retry = gateway.post("/v1/approvals/" + parked.path("approvalId").asString() + ":approve",
        GatewayFixture.SECOND_APPROVER_KEY, "{}");
    assertThat(retry.statusCode()).as("the request itself is decided: " + retry.body()).isEqualTo(409);

    int finished = gateway.assembly().approvals().finishDecided(Duration.ZERO);

    assertThat(finished).isEqualTo(1);
    assertThat(state(parked)).isEqualTo("completed");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
    assertThat(gateway.assembly().approvals().finishDecided(Duration.ZERO)).as("finished once").isZero();
    assertThat(gateway.acme().requestLog()).hasSize(1);
    assertThat(gateway.audit()).anySatisfy(a -> assertThat(a.entry().reasons()).contains("approved-by:ops-olivia"));
  }

  @Test
  void aDeniedCallThatWasNeverEndedEndsDeniedWhenSwept() throws Exception {
    JsonNode parked = parkedThenDecidedOnly(ApprovalStatus.DENIED, "not without a receipt");

    assertThat(gateway.assembly().approvals().finishDecided(Duration.ZERO)).isEqualTo(1);

    assertThat(state(parked)).isEqualTo("denied");
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(gateway.audit().getLast().entry().reasons()).contains("denied-by:ops-olivia");
  }

  @Test
  void aFreshDecisionIsLeftToTheApproverStillResumingIt() throws Exception {
    JsonNode parked = parkedThenDecidedOnly(ApprovalStatus.APPROVED, null);

    assertThat(gateway.assembly().approvals().finishDecided(Duration.ofMinutes(1))).isZero();

    assertThat(state(parked)).isEqualTo("awaiting-approval");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void theAuditChainStaysIntact() throws Exception {
    parkedThenDecidedOnly(ApprovalStatus.APPROVED, null);
    gateway.assembly().approvals().finishDecided(Duration.ZERO);
    gateway.close();
    gateway = null;

    CliRun verify = CliRun.of("audit", "verify", "--data", data.toString());

    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("audit chain intact");
  }
}
