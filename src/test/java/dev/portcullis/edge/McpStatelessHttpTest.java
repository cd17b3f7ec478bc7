package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayExtension;
import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stateless revision 2026-07-28 on {@code /mcp}, at the wire: no {@code initialize}, no
 * session, version in {@code _meta} and headers that must match the body; and every way such a
 * request is refused. Acme's request log proves that a refused request executed nothing. The demo's
 * refunds over 100 need approval; {@code mcpWait} is one second here.
 */
class McpStatelessHttpTest {
  private static final String V = "2026-07-28";
  private static final String META =
      "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\""
          + V
          + "\","
          + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"raw\",\"version\":\"0\"},"
          + "\"io.modelcontextprotocol/clientCapabilities\":{}}";
  private static final String GET_CUSTOMER =
      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"crm_get_customer\","
          + "\"arguments\":{\"customerId\":\"C-1001\"},"
          + META
          + "}}";

  @RegisterExtension
  static final GatewayExtension GATEWAY =
      GatewayExtension.config(
          dir -> {
            Path config = GatewayFixture.demoConfigWith(dir, "");
            String yaml = Files.readString(config, StandardCharsets.UTF_8);
            assertThat(yaml).contains("approvals:\n  timeout: 1h\n");
            Files.writeString(
                config,
                yaml.replace(
                    "approvals:\n  timeout: 1h\n", "approvals:\n  timeout: 1h\n  mcpWait: 1s\n"),
                StandardCharsets.UTF_8);
            return config;
          });

  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final JsonMapper json = JsonMapper.builder().build();
  private final GatewayFixture gateway;

  McpStatelessHttpTest(GatewayFixture gateway) {
    this.gateway = gateway;
  }

  @AfterAll
  static void stop() {
    http.close();
  }

  @Test
  void listsWithoutInitializeOrSessionAndMarksTheResultComplete() {
    HttpResponse<String> r = send(modern(GatewayFixture.SUPPORT_KEY, "tools/list", null, list(2)));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Mcp-Session-Id")).isEmpty();
    JsonNode result = body(r).path("result");
    assertThat(result.path("resultType").asString()).isEqualTo("complete");
    assertThat(result.path("cacheScope").asString()).isEqualTo("private");
    assertThat(result.path("ttlMs").asLong(-1)).isZero();
    assertThat(result.at("/_meta/io.modelcontextprotocol~1serverInfo/name").asString())
        .isEqualTo("portcullis");
    assertThat(StreamSupport.stream(result.path("tools").spliterator(), false))
        .extracting(t -> t.path("name").asString())
        .contains("crm_get_customer", "portcullis_outcome")
        .doesNotContain("orders_refund");
  }

  @Test
  void discoverNamesBothErasAndTheToolsCapability() {
    String discover =
        "{\"jsonrpc\":\"2.0\",\"id\":\"d\",\"method\":\"server/discover\",\"params\":{"
            + META
            + "}}";

    HttpResponse<String> r =
        send(modern(GatewayFixture.SUPPORT_KEY, "server/discover", null, discover));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = body(r).path("result");
    assertThat(result.path("resultType").asString()).isEqualTo("complete");
    assertThat(StreamSupport.stream(result.path("supportedVersions").spliterator(), false))
        .extracting(JsonNode::asString)
        .startsWith(V)
        .contains("2025-11-25");
    assertThat(result.at("/capabilities/tools").isObject()).isTrue();
  }

  @Test
  void aCallTakesTheWholeRoadAndIsRedacted() {
    HttpResponse<String> r =
        send(modern(GatewayFixture.SUPPORT_KEY, "tools/call", "crm_get_customer", GET_CUSTOMER));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = body(r).path("result");
    assertThat(result.path("resultType").asString()).isEqualTo("complete");
    assertThat(result.path("isError").asBoolean()).isFalse();
    assertThat(result.at("/structuredContent/name").asString()).isEqualTo("Maria Keller");
    assertThat(result.at("/content/0/text").asString()).contains("[redacted:email]");
    assertThat(gateway.acme().requestLog()).containsExactly("GET /api/customers/C-1001");
  }

  @Test
  void aCallParkedForApprovalWaitsThenAnswersPendingAndReachesNothing() {
    String refund =
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"orders_refund\","
            + "\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"parcel damaged\"},"
            + META
            + "}}";

    HttpResponse<String> r =
        send(modern(GatewayFixture.BILLING_KEY, "tools/call", "orders_refund", refund));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = body(r).path("result");
    assertThat(result.path("resultType").asString()).isEqualTo("complete");
    assertThat(result.at("/structuredContent/status").asString()).isEqualTo("awaiting-approval");
    assertThat(result.at("/structuredContent/approvalId").asString()).isNotEmpty();
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void aBase64EncodedToolNameHeaderIsDecodedBeforeItIsCompared() {
    String encoded =
        "=?base64?"
            + Base64.getEncoder()
                .encodeToString("crm_get_customer".getBytes(StandardCharsets.UTF_8))
            + "?=";

    HttpResponse<String> r =
        send(modern(GatewayFixture.SUPPORT_KEY, "tools/call", encoded, GET_CUSTOMER));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(body(r).at("/result/isError").asBoolean()).isFalse();
  }

  @Test
  void aSessionIdOnAStatelessRequestIsIgnored() {
    HttpResponse<String> r =
        send(
            modern(GatewayFixture.SUPPORT_KEY, "tools/list", null, list(5))
                .header("Mcp-Session-Id", "not-a-session"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void anUnsupportedVersionIsRefusedWithTheSupportedOnes() {
    String body = GET_CUSTOMER.replace(V, "1900-01-01");

    HttpResponse<String> r =
        send(
            modern(GatewayFixture.SUPPORT_KEY, "tools/call", "crm_get_customer", body)
                .setHeader("MCP-Protocol-Version", "1900-01-01"));

    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = body(r).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(-32022);
    assertThat(error.at("/data/requested").asString()).isEqualTo("1900-01-01");
    assertThat(StreamSupport.stream(error.at("/data/supported").spliterator(), false))
        .extracting(JsonNode::asString)
        .contains(V, "2025-11-25");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void headersThatDisagreeWithTheBodyAreRefusedAndExecuteNothing() {
    String createTicket = GET_CUSTOMER.replace("\"crm_get_customer\"", "\"tickets_create\"");
    assertMismatch(
        modern(GatewayFixture.SUPPORT_KEY, "tools/call", "crm_get_customer", createTicket),
        "Mcp-Name names another tool than the body");
    assertMismatch(
        modern(GatewayFixture.SUPPORT_KEY, "tools/list", "crm_get_customer", GET_CUSTOMER),
        "Mcp-Method names another method than the body");
    assertMismatch(
        modern(GatewayFixture.SUPPORT_KEY, null, "crm_get_customer", GET_CUSTOMER),
        "no Mcp-Method");
    assertMismatch(
        modern(GatewayFixture.SUPPORT_KEY, "tools/call", null, GET_CUSTOMER), "no Mcp-Name");
    assertMismatch(
        modern(GatewayFixture.SUPPORT_KEY, "tools/call", "crm_get_customer", GET_CUSTOMER)
            .setHeader("MCP-Protocol-Version", "2025-11-25"),
        "a version header other than the body's");
    assertMismatch(
        modern(GatewayFixture.SUPPORT_KEY, "tools/call", "=?base64?!!!?=", GET_CUSTOMER),
        "an Mcp-Name that is not base64");
    assertMismatch(
        modern(
            GatewayFixture.SUPPORT_KEY,
            "tools/call",
            "crm_get_customer",
            GET_CUSTOMER.replace("\"" + V + "\"", "42")),
        "a version in _meta that is not a string");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void aMethodTheRevisionDoesNotHaveIsNotFound() {
    String ping = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\",\"params\":{" + META + "}}";

    HttpResponse<String> r = send(modern(GatewayFixture.SUPPORT_KEY, "ping", null, ping));

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(body(r).at("/error/code").asInt()).isEqualTo(-32601);
  }

  @Test
  void withoutTheAgentsKeyNothingIsRead() {
    HttpResponse<String> r = send(modern(null, "tools/call", "crm_get_customer", GET_CUSTOMER));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void sessionClientsStillWorkBesideStatelessOnes() {
    String init =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
            + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"old\",\"version\":\"0\"}}}";
    HttpResponse<String> opened = send(post(GatewayFixture.SUPPORT_KEY, init));
    String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();

    HttpResponse<String> listed =
        send(
            post(
                    GatewayFixture.SUPPORT_KEY,
                    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}")
                .header("Mcp-Session-Id", session));
    HttpResponse<String> noSession =
        send(
            post(
                GatewayFixture.SUPPORT_KEY,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"));

    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    assertThat(body(listed).at("/result/resultType").isMissingNode()).isTrue();
    assertThat(noSession.statusCode())
        .as("a legacy request still needs its session")
        .isEqualTo(400);
  }

  // --- helpers ---

  private void assertMismatch(HttpRequest.Builder request, String why) {
    HttpResponse<String> r = send(request);
    assertThat(r.statusCode()).as(why + ": " + r.body()).isEqualTo(400);
    assertThat(body(r).at("/error/code").asInt()).as(why).isEqualTo(-32020);
  }

  private static String list(int id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":\"tools/list\",\"params\":{"
        + META
        + "}}";
  }

  private HttpRequest.Builder post(String key, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.baseUri().resolve("/mcp"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }

  /** A request as a 2026-07-28 client sends it: the version, method and name headers. */
  private HttpRequest.Builder modern(String key, String method, String name, String body) {
    HttpRequest.Builder b = post(key, body).header("MCP-Protocol-Version", V);
    if (method != null) {
      b.header("Mcp-Method", method);
    }
    if (name != null) {
      b.header("Mcp-Name", name);
    }
    return b;
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode body(HttpResponse<String> r) {
    return json.readTree(r.body());
  }
}
