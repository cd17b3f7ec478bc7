package dev.portcullis.edge;

import static dev.portcullis.testing.ApiCalls.assertProblem;
import static dev.portcullis.testing.ApiCalls.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A call's outcome belongs to the agent and the user it was made for: the same agent acting for
 * another user (or for nobody) learns nothing of it, over REST, over MCP's {@code
 * portcullis_outcome}, or through a repeated idempotency key. Real gateway, real OIDC server.
 */
class InvocationOwnershipTest {
  private static final String READ = "{\"arguments\":{\"customerId\":\"C-1001\"}}";
  private static final String READ_OTHER = "{\"arguments\":{\"customerId\":\"C-1002\"}}";

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

  @Test
  void anotherUsersCallReadsAsUnknownForTheSameAgent() {
    String agent = agentToken();
    String mine = readAs(agent, "olivia");
    String unknown = UUID.randomUUID().toString();

    HttpResponse<String> asOlivia = get(mine, agent, userToken("olivia"));
    HttpResponse<String> asOmar = get(mine, agent, userToken("omar"));
    HttpResponse<String> asNobody = get(mine, agent, null);
    HttpResponse<String> missing = get(unknown, agent, userToken("omar"));

    assertThat(asOlivia.statusCode()).as(asOlivia.body()).isEqualTo(200);
    for (HttpResponse<String> foreign : List.of(asOmar, asNobody)) {
      assertProblem(foreign, 404, "not-found");
      assertThat(foreign.body().replace(mine, "ID"))
          .isEqualTo(missing.body().replace(unknown, "ID"));
    }
  }

  @Test
  void aCallMadeForNobodyIsNotReadWithAUsersToken() {
    String agent = agentToken();
    HttpResponse<String> r = gateway.invoke("crm_get_customer", agent, READ);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String id = json(r).path("invocationId").asString();

    assertThat(get(id, agent, null).statusCode()).isEqualTo(200);
    assertProblem(get(id, agent, userToken("olivia")), 404, "not-found");
  }

  @Test
  void portcullisOutcomeAnswersAnotherUsersCallAsUnknown() {
    String agent = agentToken();
    String mine = readAs(agent, "olivia");
    String session = initialize(agent);

    JsonNode asOlivia = outcome(agent, session, mine, userToken("olivia"));
    JsonNode asOmar = outcome(agent, session, mine, userToken("omar"));
    JsonNode asNobody = outcome(agent, session, mine, null);
    String unknown = UUID.randomUUID().toString();
    JsonNode missing = outcome(agent, session, unknown, userToken("omar"));

    assertThat(asOlivia.path("isError").asBoolean()).as(asOlivia.toString()).isFalse();
    for (JsonNode foreign : List.of(asOmar, asNobody)) {
      assertThat(foreign.path("isError").asBoolean()).isTrue();
      assertThat(foreign.at("/structuredContent/error/type").asString())
          .isEqualTo("urn:portcullis:problem:not-found");
      assertThat(foreign.toString().replace(mine, "ID"))
          .isEqualTo(missing.toString().replace(unknown, "ID"));
    }
  }

  @Test
  void aKeyReusedForAnotherUserDoesNotNameTheFirstCall() {
    String agent = agentToken();
    String key = "ownership-" + UUID.randomUUID();
    HttpResponse<String> first = read(agent, userToken("olivia"), key, READ);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    String firstId = json(first).path("invocationId").asString();

    for (String other : new String[] {userToken("omar"), null}) {
      HttpResponse<String> r = read(agent, other, key, READ);
      assertProblem(r, 409, "idempotency-key-reused");
      assertThat(r.body()).doesNotContain(firstId);
      HttpResponse<String> shown = get(json(r).path("invocationId").asString(), agent, other);
      assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
      assertThat(shown.body()).doesNotContain(firstId);
    }
    HttpResponse<String> sameUserOtherArguments = read(agent, userToken("olivia"), key, READ_OTHER);
    assertProblem(sameUserOtherArguments, 409, "idempotency-key-reused");
    assertThat(json(sameUserOtherArguments).path("firstInvocationId").asString())
        .isEqualTo(firstId);
  }

  @Test
  void aUserTheAgentOnlyAssertsDoesNotReplayTheVerifiedUsersOutcome() {
    String agent = agentToken();
    String key = "ownership-" + UUID.randomUUID();
    HttpResponse<String> first = read(agent, userToken("olivia"), key, READ);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

    HttpResponse<String> asserted =
        read(
            agent,
            null,
            key,
            "{\"actor\":{\"userId\":\"olivia\"},\"arguments\":{\"customerId\":\"C-1001\"}}");

    assertProblem(asserted, 409, "idempotency-key-reused");
    assertThat(asserted.body()).doesNotContain(json(first).path("invocationId").asString());
  }

  // --- helpers ---

  private static String agentToken() {
    return idp.issueToken("agents", "support-client", "portcullis", Map.of(), 3600).serialize();
  }

  private static String userToken(String user) {
    return idp.issueToken(
            "users",
            user,
            "portcullis",
            Map.of("tenant", "acme", "roles", List.of("support")),
            3600)
        .serialize();
  }

  /** A customer read by {@code agent} for {@code user}; its invocation id. */
  private static String readAs(String agent, String user) {
    HttpResponse<String> r = read(agent, userToken(user), null, READ);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).path("invocationId").asString();
  }

  private static HttpResponse<String> read(
      String agent, String userToken, String key, String body) {
    List<String> headers = new java.util.ArrayList<>();
    if (userToken != null) {
      headers.addAll(List.of("Portcullis-User-Token", userToken));
    }
    if (key != null) {
      headers.addAll(List.of("Idempotency-Key", key));
    }
    return gateway.invoke("crm_get_customer", agent, body, headers.toArray(String[]::new));
  }

  private static HttpResponse<String> get(String invocationId, String agent, String userToken) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.baseUri().resolve("/v1/invocations/" + invocationId))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + agent);
    if (userToken != null) {
      b.header("Portcullis-User-Token", userToken);
    }
    return gateway.send(b.GET().build());
  }

  private static String initialize(String agent) {
    HttpResponse<String> r =
        gateway.send(
            mcp(
                agent,
                null,
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"ownership-test\",\"version\":\"0\"}}}"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
  }

  /**
   * The result of {@code portcullis_outcome} for {@code invocationId}, as {@code agent} acting for
   * {@code userToken}.
   */
  private static JsonNode outcome(
      String agent, String session, String invocationId, String userToken) {
    HttpResponse<String> r =
        gateway.send(
            mcp(
                agent,
                session,
                userToken,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"portcullis_outcome\","
                    + "\"arguments\":{\"invocationId\":\""
                    + invocationId
                    + "\"}}}"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).path("result");
  }

  private static HttpRequest mcp(String agent, String session, String userToken, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.baseUri().resolve("/mcp"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + agent)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session);
    }
    if (userToken != null) {
      b.header("Portcullis-User-Token", userToken);
    }
    return b.build();
  }
}
