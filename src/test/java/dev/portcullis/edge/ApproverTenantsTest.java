package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.assertProblem;
import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Interrupted;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Approvers and operators act for their tenants only: ops-olivia for acme (billing-assistant's
 * calls), ops-omar for globex (support-assistant's). For each verb, the other tenant's request or
 * call answers exactly as an unknown id does (404), and nothing changes.
 */
class ApproverTenantsTest {
  private static final Path CONFIG = Path.of("src/test/resources/config/tenants.yaml");
  private static final String ACME_AGENT = GatewayFixture.BILLING_KEY;
  private static final String GLOBEX_AGENT = GatewayFixture.SUPPORT_KEY;
  private static final String ACME_OPERATOR = GatewayFixture.APPROVER_KEY;
  private static final String GLOBEX_OPERATOR = GatewayFixture.SECOND_APPROVER_KEY;
  private static final String BIG_REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";

  @TempDir static Path data;
  static GatewayFixture gateway;
  static String interruptedAcmeCall;

  @BeforeAll
  static void start() {
    // An acme call a crash left executing: the gateway finds it needs-reconciliation at start.
    interruptedAcmeCall =
        Interrupted.refund(
            data,
            "k-interrupted",
            "orders_refund",
            "{\"orderId\":\"O-5001\",\"amount\":40,\"reason\":\"late\"}");
    gateway = GatewayFixture.start(data, CONFIG, Map.of());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void clear() {
    gateway.acme().clearRequestLog();
  }

  @Test
  void anApproverListsOnlyTheirTenantsRequests() {
    String acme = park(ACME_AGENT);
    String globex = park(GLOBEX_AGENT);

    assertThat(approvalIds(ACME_OPERATOR)).contains(acme).doesNotContain(globex);
    assertThat(approvalIds(GLOBEX_OPERATOR)).contains(globex).doesNotContain(acme);
  }

  @Test
  void anotherTenantsRequestReadsAsAnUnknownOne() {
    String globex = park(GLOBEX_AGENT);

    assertSameAsUnknown(globex, id -> gateway.get("/v1/approvals/" + id, ACME_OPERATOR));
    assertThat(gateway.get("/v1/approvals/" + globex, GLOBEX_OPERATOR).statusCode()).isEqualTo(200);
  }

  @Test
  void anotherTenantsRequestCannotBeApprovedOrDenied() throws Exception {
    String globex = park(GLOBEX_AGENT);
    int audited = gateway.audit().size();

    assertSameAsUnknown(globex, id -> gateway.approve(id, ACME_OPERATOR, "{}"));
    assertSameAsUnknown(
        globex,
        id ->
            gateway.post(
                "/v1/approvals/" + id + ":deny", ACME_OPERATOR, "{\"reason\":\"not yours\"}"));

    assertThat(gateway.audit()).hasSize(audited);
    assertThat(gateway.acme().requestLog()).isEmpty();
    HttpResponse<String> approved = gateway.approve(globex, GLOBEX_OPERATOR, "{}");
    assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
    assertThat(json(approved).path("decidedBy").asString()).isEqualTo("ops-omar");
  }

  @Test
  void anOperatorListsAndReadsOnlyTheirTenantsCalls() {
    String acmeCall = invocationOf(park(ACME_AGENT), ACME_OPERATOR);
    String globexCall = invocationOf(park(GLOBEX_AGENT), GLOBEX_OPERATOR);

    assertThat(invocationIds(ACME_OPERATOR)).contains(acmeCall).doesNotContain(globexCall);
    assertThat(invocationIds(GLOBEX_OPERATOR)).contains(globexCall).doesNotContain(acmeCall);
    assertSameAsUnknown(globexCall, id -> gateway.get("/v1/invocations/" + id, ACME_OPERATOR));
    assertThat(
            json(gateway.get("/v1/invocations/" + globexCall, GLOBEX_OPERATOR))
                .path("tenant")
                .asString())
        .isEqualTo("globex");
  }

  @Test
  void anotherTenantsCallCannotBeSettledOrReverted() throws Exception {
    int audited = gateway.audit().size();

    assertSameAsUnknown(
        interruptedAcmeCall,
        id ->
            gateway.post(
                "/v1/invocations/" + id + ":settle",
                GLOBEX_OPERATOR,
                "{\"as\":\"failed\",\"reason\":\"not mine to say\"}"));
    assertSameAsUnknown(
        interruptedAcmeCall,
        id -> gateway.post("/v1/invocations/" + id + ":revert", GLOBEX_OPERATOR, "{}"));
    assertThat(invocationIds(GLOBEX_OPERATOR, "needs-reconciliation"))
        .doesNotContain(interruptedAcmeCall);

    assertThat(gateway.audit()).hasSize(audited);
    assertThat(invocationIds(ACME_OPERATOR, "needs-reconciliation")).contains(interruptedAcmeCall);
    HttpResponse<String> settled =
        gateway.post(
            "/v1/invocations/" + interruptedAcmeCall + ":settle",
            ACME_OPERATOR,
            "{\"as\":\"failed\",\"reason\":\"no refund in Acme's ledger\"}");
    assertThat(settled.statusCode()).as(settled.body()).isEqualTo(200);
  }

  // --- helpers ---

  /**
   * {@code call} on the foreign {@code id} answers 404, exactly as on an id that does not exist.
   */
  private static void assertSameAsUnknown(String id, Function<String, HttpResponse<String>> call) {
    String unknown = UUID.randomUUID().toString();
    HttpResponse<String> foreign = call.apply(id);
    HttpResponse<String> missing = call.apply(unknown);
    assertProblem(foreign, 404, "not-found");
    assertThat(foreign.body().replace(id, "ID")).isEqualTo(missing.body().replace(unknown, "ID"));
  }

  private static String park(String agentKey) {
    HttpResponse<String> parked = gateway.invoke("orders_refund", agentKey, BIG_REFUND);
    assertThat(parked.statusCode()).as(parked.body()).isEqualTo(202);
    return json(parked).path("approvalId").asString();
  }

  private static String invocationOf(String approvalId, String operatorKey) {
    return json(gateway.get("/v1/approvals/" + approvalId, operatorKey))
        .path("invocationId")
        .asString();
  }

  private static List<String> approvalIds(String operatorKey) {
    HttpResponse<String> r = gateway.get("/v1/approvals?status=pending", operatorKey);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    for (JsonNode a : json(r).path("approvals")) {
      ids.add(a.path("approvalId").asString());
    }
    return ids;
  }

  private static List<String> invocationIds(String operatorKey) {
    return invocationIds(operatorKey, "awaiting-approval");
  }

  private static List<String> invocationIds(String operatorKey, String state) {
    HttpResponse<String> r = gateway.get("/v1/invocations?state=" + state, operatorKey);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    for (JsonNode i : json(r).path("invocations")) {
      ids.add(i.path("invocationId").asString());
    }
    return ids;
  }
}
