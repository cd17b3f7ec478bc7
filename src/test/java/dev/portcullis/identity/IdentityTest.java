package dev.portcullis.identity;

import static dev.portcullis.testing.ApiCalls.assertProblem;
import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Agents with client-credentials tokens and the users they act for, with tokens from a real OIDC
 * server (mock-oauth2-server), through a real gateway in front of Acme.
 */
class IdentityTest {
  private static final String READ = "{\"arguments\":{\"customerId\":\"C-1001\"}}";
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":10,\"reason\":\"late\"}}";

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
            Path.of("src/test/resources/config/identity.yaml"),
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

  static String agentToken(String client) {
    return idp.issueToken("agents", client, "portcullis", Map.of("azp", client), 3600).serialize();
  }

  static String userToken(String user, String tenant, List<String> roles) {
    return idp.issueToken(
            "users", user, "portcullis", Map.of("tenant", tenant, "roles", roles), 3600)
        .serialize();
  }

  private static HttpResponse<String> call(
      String tool, String agentToken, String body, String... headers) {
    return gateway.invoke(tool, agentToken, body, headers);
  }

  @Test
  void agentWithAClientCredentialsTokenIsAuthenticated() {
    HttpResponse<String> r = call("crm_get_customer", agentToken("support-client"), READ);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).at("/decision/rules/0").asString()).isEqualTo("agents-read");
  }

  @Test
  void refusesExpiredWrongAudienceForeignIssuerTamperedAndUnsignedAgentTokens() {
    String valid = agentToken("support-client");
    String[] parts = valid.split("\\.", -1);
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String forgedPayload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                payload
                    .replace("support-client", "billing-client")
                    .getBytes(StandardCharsets.UTF_8));
    String unsignedHeader =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    List<String> refused =
        List.of(
            idp.issueToken(
                    "agents",
                    "support-client",
                    "portcullis",
                    Map.of("azp", "support-client"),
                    -3600)
                .serialize(),
            idp.issueToken(
                    "agents",
                    "support-client",
                    "someone-else",
                    Map.of("azp", "support-client"),
                    3600)
                .serialize(),
            idp.issueToken(
                    "evil", "support-client", "portcullis", Map.of("azp", "support-client"), 3600)
                .serialize(),
            parts[0] + "." + forgedPayload + "." + parts[2],
            unsignedHeader + "." + parts[1] + ".",
            "not.a.jwt");

    for (String token : refused) {
      HttpResponse<String> r = call("crm_get_customer", token, READ);
      assertProblem(r, 401, "unauthenticated");
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(
              v ->
                  assertThat(v)
                      .startsWith("Bearer realm=\"portcullis\", resource_metadata=\"")
                      .contains("error=\"invalid_token\""));
      assertThat(r.body()).doesNotContain(token);
    }
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void aValidTokenForAnUnregisteredClientIsForbidden() {
    assertProblem(
        call("crm_get_customer", agentToken("unknown-client"), READ), 403, "agent-not-registered");
  }

  @Test
  void userMayAndAgentMayIsAllowedAndRecordedWithBothIdentities() throws Exception {
    HttpResponse<String> r =
        call(
            "orders_refund",
            agentToken("support-client"),
            REFUND,
            "Portcullis-User-Token",
            userToken("alice", "acme", List.of("finance")));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).at("/decision/rules").toString())
        .isEqualTo("[\"support-refunds\",\"finance-refunds\"]");
    List<AuditRecord> records = gateway.audit();
    AuditRecord done = records.getLast();
    assertThat(done.entry().agentId()).isEqualTo("support-assistant");
    assertThat(done.entry().userId()).isEqualTo("alice");
    assertThat(done.entry().user())
        .contains("\"verified\":true")
        .contains("\"roles\":[\"finance\"]");
  }

  @Test
  void agentMayButUserMayNotIsDenied() {
    HttpResponse<String> r =
        call(
            "orders_refund",
            agentToken("support-client"),
            REFUND,
            "Portcullis-User-Token",
            userToken("bob", "acme", List.of("support")));

    assertProblem(r, 403, "denied-by-policy");
    assertThat(json(r).path("detail").asString()).contains("no rule permits user 'bob'");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void anotherUserRepeatingAUsersIdempotencyKeyGetsNoReplayOfTheirOutcome() {
    String key = "refund-" + java.util.UUID.randomUUID();
    HttpResponse<String> alice =
        call(
            "orders_refund",
            agentToken("support-client"),
            REFUND,
            "Portcullis-User-Token",
            userToken("alice", "acme", List.of("finance")),
            "Idempotency-Key",
            key);
    HttpResponse<String> bob =
        call(
            "orders_refund",
            agentToken("support-client"),
            REFUND,
            "Portcullis-User-Token",
            userToken("bob", "acme", List.of("support")),
            "Idempotency-Key",
            key);

    assertThat(alice.statusCode()).as(alice.body()).isEqualTo(200);
    assertProblem(bob, 409, "idempotency-key-reused");
    assertThat(bob.body()).doesNotContain("refundId");
    assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
  }

  @Test
  void userMayButAgentMayNotIsDenied() {
    HttpResponse<String> r =
        call(
            "orders_refund",
            agentToken("billing-client"),
            REFUND,
            "Portcullis-User-Token",
            userToken("alice", "acme", List.of("finance")));

    assertProblem(r, 403, "denied-by-policy");
    assertThat(json(r).path("detail").asString())
        .isEqualTo("no rule permits agent 'billing-assistant' to call 'orders_refund'");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void aUserOfAnotherTenantIsForbidden() {
    HttpResponse<String> r =
        call(
            "crm_get_customer",
            agentToken("support-client"),
            READ,
            "Portcullis-User-Token",
            userToken("mallory", "globex", List.of("finance")));

    assertProblem(r, 403, "tenant-mismatch");
  }

  @Test
  void anInvalidUserTokenIsRefused() {
    String expired =
        idp.issueToken("users", "alice", "portcullis", Map.of("tenant", "acme"), -3600).serialize();
    String foreign =
        idp.issueToken("evil", "alice", "portcullis", Map.of("tenant", "acme"), 3600).serialize();

    assertProblem(
        call(
            "crm_get_customer",
            agentToken("support-client"),
            READ,
            "Portcullis-User-Token",
            expired),
        401,
        "invalid-user-token");
    assertProblem(
        call(
            "crm_get_customer",
            agentToken("support-client"),
            READ,
            "Portcullis-User-Token",
            foreign),
        401,
        "invalid-user-token");
  }

  @Test
  void theBodyCannotClaimAnotherUserThanTheToken() {
    HttpResponse<String> r =
        call(
            "crm_get_customer",
            agentToken("support-client"),
            "{\"actor\":{\"userId\":\"root\"},\"arguments\":{\"customerId\":\"C-1001\"}}",
            "Portcullis-User-Token",
            userToken("alice", "acme", List.of("finance")));

    assertProblem(r, 400, "malformed-request");
  }

  @Test
  void neitherTokenIsForwardedUpstream() {
    HttpResponse<String> r =
        call(
            "crm_get_customer",
            agentToken("support-client"),
            READ,
            "Portcullis-User-Token",
            userToken("alice", "acme", List.of("finance")));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(gateway.acme().headerNamesSeen())
        .doesNotContain("portcullis-user-token")
        .contains("authorization");
    // Acme accepts only its own token: a forwarded agent token would have been answered 401.
  }

  @Test
  void mcpChallengePointsToProtectedResourceMetadataNamingTheIssuer() {
    HttpResponse<String> challenge =
        gateway.send(
            HttpRequest.newBuilder(gateway.baseUri().resolve("/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}"))
                .build());
    String expectedUrl =
        "http://127.0.0.1:" + gateway.port() + "/.well-known/oauth-protected-resource/mcp";
    HttpResponse<String> metadata =
        gateway.send(HttpRequest.newBuilder(java.net.URI.create(expectedUrl)).build());

    assertThat(challenge.statusCode()).isEqualTo(401);
    assertThat(challenge.headers().firstValue("WWW-Authenticate"))
        .contains("Bearer realm=\"portcullis\", resource_metadata=\"" + expectedUrl + "\"");
    assertThat(metadata.statusCode()).isEqualTo(200);
    JsonNode m = json(metadata);
    assertThat(m.path("resource").asString())
        .isEqualTo("http://127.0.0.1:" + gateway.port() + "/mcp");
    assertThat(m.path("authorization_servers").toString())
        .isEqualTo("[\"" + idp.issuerUrl("agents") + "\"]");
  }
}
