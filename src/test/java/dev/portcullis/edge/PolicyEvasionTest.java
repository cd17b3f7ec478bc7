package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.assertProblem;
import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.testing.GatewayExtension;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.McpClients;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hostile agent against a real gateway in front of Acme, trying to slip past guard rules by
 * leaving out the facts they read (src/test/resources/edge/guards.yaml) or by claiming facts the
 * gateway sets. Acme's request log proves what reached the system of record.
 */
class PolicyEvasionTest {
  private static final String TICKET =
      "{\"customerId\":\"C-1001\",\"subject\":\"Broken\",\"body\":\"It broke.\",\"priority\":\"low\"}";
  private static final String REFUND =
      "{\"orderId\":\"O-5001\",\"amount\":20,\"reason\":\"late delivery\"}";

  @RegisterExtension
  static final GatewayExtension GATEWAY =
      GatewayExtension.config(
          dir ->
              GatewayFixture.demoConfigWithPolicies(
                  dir,
                  Files.readString(
                      Path.of("src/test/resources/edge/guards.yaml"), StandardCharsets.UTF_8)));

  private final GatewayFixture gateway;

  PolicyEvasionTest(GatewayFixture gateway) {
    this.gateway = gateway;
  }

  @Test
  void aRestCallWithoutPolicyContextIsRefusedByAContextGuard() {
    HttpResponse<String> r =
        gateway.invoke(
            "tickets_create", GatewayFixture.SUPPORT_KEY, "{\"arguments\":" + TICKET + "}");

    assertProblem(r, 403, "denied-by-policy");
    assertThat(json(r).path("detail").asString()).contains("tickets-from-eu-sessions-only");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anMcpCallCannotSlipPastAContextGuardByCarryingNoContext() {
    try (McpSyncClient client =
        McpClients.of(gateway.baseUri(), GatewayFixture.SUPPORT_KEY, "hostile-agent")) {
      client.initialize();

      McpSchema.CallToolResult result =
          client.callTool(
              new McpSchema.CallToolRequest(
                  "tickets_create",
                  Map.of(
                      "customerId",
                      "C-1001",
                      "subject",
                      "Broken",
                      "body",
                      "It broke.",
                      "priority",
                      "low"),
                  null));

      assertThat(result.isError()).isTrue();
      assertThat(result.content().toString()).contains("tickets-from-eu-sessions-only");
    }
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void theContextGuardLetsACallThatSaysItIsFromTheEuThrough() {
    HttpResponse<String> r =
        gateway.invoke(
            "tickets_create",
            GatewayFixture.SUPPORT_KEY,
            "{\"arguments\":" + TICKET + ",\"policyContext\":{\"region\":\"eu\"}}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/tickets");
  }

  @Test
  void anAgentSendingNoUserTokenIsHeldByAGuardAboutTheUsersRoles() {
    HttpResponse<String> r =
        gateway.invoke(
            "orders_refund", GatewayFixture.BILLING_KEY, "{\"arguments\":" + REFUND + "}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(json(r).path("rules").toString()).contains("refunds-for-finance-staff-only");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anAgentCannotClaimAChannelTheGatewaySets() throws Exception {
    int before = gateway.audit().size();

    for (String channel : new String[] {"revert", "REST", " mcp "}) {
      HttpResponse<String> r =
          gateway.invoke(
              "tickets_create",
              GatewayFixture.SUPPORT_KEY,
              "{\"actor\":{\"channel\":\""
                  + channel
                  + "\"},\"arguments\":"
                  + TICKET
                  + ",\"policyContext\":{\"region\":\"eu\"}}");
      assertProblem(r, 400, "malformed-request");
      assertThat(json(r).path("detail").asString()).contains("actor.channel");
    }
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(gateway.audit()).hasSize(before);
  }

  @Test
  void anAgentCannotNameAGatewayFactInItsPolicyContext() {
    for (String fact : new String[] {"channel", "time", "declaredChannel"}) {
      HttpResponse<String> r =
          gateway.invoke(
              "tickets_create",
              GatewayFixture.SUPPORT_KEY,
              "{\"arguments\":"
                  + TICKET
                  + ",\"policyContext\":{\"region\":\"eu\",\""
                  + fact
                  + "\":\"revert\"}}");
      assertProblem(r, 400, "malformed-request");
      assertThat(json(r).path("detail").asString()).contains("policyContext." + fact);
    }
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void theDeclaredChannelIsRecordedApartFromTheDoor() throws Exception {
    HttpResponse<String> r =
        gateway.invoke(
            "tickets_create",
            GatewayFixture.SUPPORT_KEY,
            "{\"actor\":{\"channel\":\"slack\"},\"arguments\":"
                + TICKET
                + ",\"policyContext\":{\"region\":\"eu\"}}");
    String id = json(r).path("invocationId").asString();

    AuditRecord done =
        gateway.audit().stream()
            .filter(a -> a.entry().invocationId().equals(id))
            .toList()
            .getLast();
    assertThat(done.entry().channel()).isEqualTo("rest");
    assertThat(done.entry().context())
        .isEqualTo("{\"declaredChannel\":\"slack\",\"region\":\"eu\"}");
  }
}
