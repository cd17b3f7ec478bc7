package dev.portcullis.identity;

import static dev.portcullis.testing.ApiCalls.assertProblem;
import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvers who sign in with their own operator token from a real OIDC server (mock-oauth2-server):
 * the configuration names an issuer, a role and the operator audience, not people. A token without
 * the role, from another issuer, expired, for another audience, an agent's, or a delegating user's
 * (which the agent holds) decides nothing; four-eyes compares the token's user with the user the
 * call was made for.
 */
class OidcApproverTest {
  private static final String BIG_REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";
  private static final String APPROVER_ROLE = "portcullis-approver";
  private static final String OPERATORS = "portcullis-operators";

  @TempDir static Path data;
  static MockOAuth2Server idp;
  static GatewayFixture gateway;

  @BeforeAll
  static void start() {
    idp = new MockOAuth2Server();
    idp.start();
    gateway =
        GatewayFixture.start(
            data,
            Path.of("src/test/resources/config/oidc-approvers.yaml"),
            GatewayFixture.oidcIssuers(idp));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    idp.shutdown();
  }

  @BeforeEach
  void clear() {
    gateway.acme().clearRequestLog();
  }

  @Test
  void aPersonWithTheApproverRoleApprovesAndIsRecordedByTheirUserClaim() {
    String approvalId = park(null);

    HttpResponse<String> approved =
        approve(approvalId, operatorToken("omar", List.of(APPROVER_ROLE)));

    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).path("decidedBy").asString()).isEqualTo("omar");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void tokensWithoutTheRoleFromAnotherIssuerOrExpiredDecideNothing() {
    String approvalId = park(null);
    List<String> refused =
        List.of(
            operatorToken("omar", List.of("finance")),
            idp.issueToken("evil", "omar", OPERATORS, Map.of("roles", List.of(APPROVER_ROLE)), 3600)
                .serialize(),
            idp.issueToken(
                    "users", "omar", OPERATORS, Map.of("roles", List.of(APPROVER_ROLE)), -3600)
                .serialize(),
            idp.issueToken(
                    "users", "omar", "someone-else", Map.of("roles", List.of(APPROVER_ROLE)), 3600)
                .serialize());

    for (String token : refused) {
      HttpResponse<String> r = approve(approvalId, token);
      assertProblem(r, 401, "unauthenticated");
      assertThat(r.body()).doesNotContain(token);
    }
    assertThat(
            json(gateway.get(
                    "/v1/approvals/" + approvalId, operatorToken("omar", List.of(APPROVER_ROLE))))
                .path("status")
                .asString())
        .isEqualTo("pending");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anOperatorTokenOfAnotherTenantDecidesNothing() {
    String approvalId = park(null);
    String globex =
        idp.issueToken(
                "users",
                "omar",
                OPERATORS,
                Map.of("tenant", "globex", "roles", List.of(APPROVER_ROLE)),
                3600)
            .serialize();

    assertProblem(approve(approvalId, globex), 401, "unauthenticated");
    assertProblem(gateway.get("/v1/approvals/" + approvalId, globex), 401, "unauthenticated");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anAgentsTokenNeverApprovesEvenWithTheRole() {
    String approvalId = park(null);
    String agentWithRole =
        idp.issueToken(
                "agents",
                "billing-client",
                "portcullis",
                Map.of("roles", List.of(APPROVER_ROLE)),
                3600)
            .serialize();

    assertProblem(approve(approvalId, agentWithRole), 403, "not-an-approver");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void theUserACallWasMadeForCannotApproveItWithTheirOwnToken() {
    String approvalId = park(userToken("olivia", List.of("finance", APPROVER_ROLE)));

    assertProblem(
        approve(approvalId, operatorToken("olivia", List.of("finance", APPROVER_ROLE))),
        403,
        "four-eyes");
    HttpResponse<String> other = approve(approvalId, operatorToken("omar", List.of(APPROVER_ROLE)));

    assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void refusesApprovalWithADelegationToken() throws Exception {
    // The agent holds olivia's delegation token (she is an approver) and parks a call of its own.
    String delegation = userToken("olivia", List.of(APPROVER_ROLE));
    String approvalId = park(null);
    int audited = gateway.audit().size();

    HttpResponse<String> r = approve(approvalId, delegation);

    assertProblem(r, 403, "not-an-approver");
    assertThat(r.body()).doesNotContain(delegation);
    assertProblem(
        gateway.post("/v1/approvals/" + approvalId + ":deny", delegation, "{\"reason\":\"mine\"}"),
        403,
        "not-an-approver");
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(gateway.audit()).hasSize(audited);
    assertThat(
            json(gateway.get(
                    "/v1/approvals/" + approvalId, operatorToken("omar", List.of(APPROVER_ROLE))))
                .path("status")
                .asString())
        .isEqualTo("pending");
  }

  @Test
  void aDelegationTokenOpensNoOperatorEndpoint() throws Exception {
    String delegation = userToken("olivia", List.of(APPROVER_ROLE));
    String approvalId = park(null);
    String invocationId =
        json(gateway.get(
                "/v1/approvals/" + approvalId, operatorToken("omar", List.of(APPROVER_ROLE))))
            .path("invocationId")
            .asString();
    int audited = gateway.audit().size();

    assertProblem(gateway.get("/v1/approvals?status=pending", delegation), 403, "not-an-approver");
    assertProblem(gateway.get("/v1/approvals/" + approvalId, delegation), 403, "not-an-approver");
    assertProblem(
        gateway.get("/v1/invocations?state=awaiting-approval", delegation), 403, "not-an-approver");
    assertProblem(
        gateway.post(
            "/v1/invocations/" + invocationId + ":settle",
            delegation,
            "{\"as\":\"cancelled\",\"reason\":\"mine\"}"),
        403,
        "not-an-approver");
    assertProblem(
        gateway.post("/v1/invocations/" + invocationId + ":revert", delegation, "{}"),
        403,
        "not-an-approver");
    HttpResponse<String> operatorView = gateway.get("/v1/invocations/" + invocationId, delegation);
    assertThat(operatorView.statusCode()).as(operatorView.body()).isEqualTo(403);
    assertThat(operatorView.body()).doesNotContain("O-5001");

    assertThat(gateway.audit()).hasSize(audited);
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void aTokenForBothTheDelegationAndTheOperatorAudienceIsNoOperatorToken() {
    String approvalId = park(null);
    String both =
        idp.issueToken(
                "users",
                "portcullis-inbox",
                new DefaultOAuth2TokenCallback(
                    "users",
                    "omar",
                    "JWT",
                    List.of("portcullis", OPERATORS),
                    Map.of("tenant", "acme", "roles", List.of(APPROVER_ROLE)),
                    3600))
            .serialize();

    assertProblem(approve(approvalId, both), 403, "not-an-approver");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anOperatorTokenIsNoDelegationToken() {
    String agent =
        idp.issueToken("agents", "billing-client", "portcullis", Map.of(), 3600).serialize();
    String operator = operatorToken("olivia", List.of("finance", APPROVER_ROLE));

    HttpResponse<String> r =
        gateway.invoke("orders_refund", agent, BIG_REFUND, "Portcullis-User-Token", operator);

    assertProblem(r, 401, "invalid-user-token");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  /** Parks a refund over 100 made by the billing agent, for {@code userToken}'s user if given. */
  private static String park(String userToken) {
    String agent =
        idp.issueToken("agents", "billing-client", "portcullis", Map.of(), 3600).serialize();
    HttpResponse<String> parked =
        userToken == null
            ? gateway.invoke("orders_refund", agent, BIG_REFUND)
            : gateway.invoke(
                "orders_refund", agent, BIG_REFUND, "Portcullis-User-Token", userToken);
    assertThat(parked.statusCode()).as(parked.body()).isEqualTo(202);
    return json(parked).path("approvalId").asString();
  }

  /**
   * A delegating user's token: what the agent is handed to act for the user (audience portcullis).
   */
  private static String userToken(String user, List<String> roles) {
    return idp.issueToken(
            "users", user, "portcullis", Map.of("tenant", "acme", "roles", roles), 3600)
        .serialize();
  }

  /** A person's operator token: issued for the operator API's own audience. */
  private static String operatorToken(String user, List<String> roles) {
    return idp.issueToken("users", user, OPERATORS, Map.of("tenant", "acme", "roles", roles), 3600)
        .serialize();
  }

  private static HttpResponse<String> approve(String approvalId, String credential) {
    return gateway.approve(approvalId, credential, "{}");
  }
}
