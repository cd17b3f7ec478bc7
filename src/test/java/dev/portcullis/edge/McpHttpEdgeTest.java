package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayExtension;
import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code /mcp} edge at the wire: raw streamable-HTTP requests with the JDK's HTTP client,
 * covering what real MCP clients differ in (STACK.md, "Known traps") and every way a request is
 * refused. Acme's request log proves that a refused request executed nothing.
 */
class McpHttpEdgeTest {
  private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
  private static final String GET_CUSTOMER =
      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
          + "\"params\":{\"name\":\"crm_get_customer\",\"arguments\":{\"customerId\":\"C-1001\"}}}";
  private static final String ACCEPT = "application/json, text/event-stream";

  @RegisterExtension static final GatewayExtension GATEWAY = GatewayExtension.demo();
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final JsonMapper json = JsonMapper.builder().build();
  private final GatewayFixture gateway;

  McpHttpEdgeTest(GatewayFixture gateway) {
    this.gateway = gateway;
  }

  @AfterAll
  static void stop() {
    http.close();
  }

  // --- what clients differ in: all of it works ---

  @Test
  void worksWithoutProtocolVersionHeaderAfterInitialize() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r = send(http, mcp(GatewayFixture.SUPPORT_KEY, session, GET_CUSTOMER));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(body(r).at("/result/isError").asBoolean()).isFalse();
    assertThat(body(r).at("/result/structuredContent/name").asString()).isEqualTo("Maria Keller");
    assertThat(gateway.acme().requestLog()).containsExactly("GET /api/customers/C-1001");
  }

  @Test
  void acceptsProtocolVersionHeaderOnInitializeToo() {
    HttpResponse<String> init =
        send(
            http,
            mcp(GatewayFixture.SUPPORT_KEY, null, initializeBody("2025-06-18"))
                .header("MCP-Protocol-Version", "2025-06-18"));

    assertThat(init.statusCode()).isEqualTo(200);
    assertThat(body(init).at("/result/protocolVersion").asString()).isEqualTo("2025-06-18");
    String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    HttpResponse<String> list =
        send(
            http,
            mcp(GatewayFixture.SUPPORT_KEY, session, LIST)
                .header("MCP-Protocol-Version", "2025-06-18"));
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(body(list).at("/result/tools")).hasSize(6);
  }

  @Test
  void acceptsAcceptHeaderListingTypesWithoutSpaces() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r =
        send(
            http,
            mcp(GatewayFixture.SUPPORT_KEY, session, LIST)
                .setHeader("Accept", "application/json,text/event-stream"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(body(r).at("/result/tools")).hasSize(6);
  }

  @Test
  void acceptsContentTypeWithCharsetParameter() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r =
        send(
            http,
            mcp(GatewayFixture.SUPPORT_KEY, session, GET_CUSTOMER)
                .setHeader("Content-Type", "application/json; charset=utf-8"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(body(r).at("/result/isError").asBoolean()).isFalse();
  }

  @Test
  void worksWithJdkClientPreferringHttp2OverPlainHttp() {
    // The default JDK client asks for "Upgrade: h2c" on plain http, POSTs included.
    try (HttpClient h2 = HttpClient.newHttpClient()) {
      assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
      HttpResponse<String> init =
          send(h2, mcp(GatewayFixture.SUPPORT_KEY, null, initializeBody("2025-11-25")));
      assertThat(init.statusCode()).isEqualTo(200);
      String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();

      HttpResponse<String> r = send(h2, mcp(GatewayFixture.SUPPORT_KEY, session, GET_CUSTOMER));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(body(r).at("/result/structuredContent/id").asString()).isEqualTo("C-1001");
    }
  }

  // --- the session lifecycle ---

  @Test
  void getOffersNoStreamAndAnswers405WithAllow() {
    HttpResponse<String> r =
        send(http, request(GatewayFixture.SUPPORT_KEY).header("Accept", "text/event-stream").GET());

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow"))
        .hasValueSatisfying(a -> assertThat(a).contains("POST").contains("DELETE"));
  }

  @Test
  void deleteEndsTheSessionWhichThenAnswers404() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> deleted =
        send(http, request(GatewayFixture.SUPPORT_KEY).header("Mcp-Session-Id", session).DELETE());
    HttpResponse<String> after = send(http, mcp(GatewayFixture.SUPPORT_KEY, session, LIST));

    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(after.statusCode()).isEqualTo(404);
  }

  @Test
  void unknownSessionAnswers404() {
    HttpResponse<String> r = send(http, mcp(GatewayFixture.SUPPORT_KEY, "no-such-session", LIST));

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(body(r).at("/id").asInt()).isEqualTo(2);
  }

  @Test
  void sessionOfAnotherAgentAnswers404AndNothingRuns() {
    String supportSession = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> call =
        send(http, mcp(GatewayFixture.BILLING_KEY, supportSession, GET_CUSTOMER));
    HttpResponse<String> delete =
        send(
            http,
            request(GatewayFixture.BILLING_KEY).header("Mcp-Session-Id", supportSession).DELETE());

    assertThat(call.statusCode()).isEqualTo(404);
    assertThat(delete.statusCode()).isEqualTo(404);
    assertThat(gateway.acme().requestLog()).isEmpty();
    assertThat(send(http, mcp(GatewayFixture.SUPPORT_KEY, supportSession, LIST)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void requestOtherThanInitializeWithoutSessionAnswers400() {
    HttpResponse<String> r = send(http, mcp(GatewayFixture.SUPPORT_KEY, null, GET_CUSTOMER));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(body(r).at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  // --- who may knock ---

  @Test
  void missingKeyAnswers401WithBearerChallenge() {
    HttpResponse<String> r = send(http, mcp(null, null, initializeBody("2025-11-25")));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(c -> assertThat(c).startsWith("Bearer "));
    assertThat(r.headers().firstValue("Mcp-Session-Id")).isEmpty();
  }

  @Test
  void wrongKeyAnswers401() {
    HttpResponse<String> r =
        send(http, mcp("pcl_not_a_key_of_this_gateway", null, initializeBody("2025-11-25")));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(c -> assertThat(c).contains("invalid_token"));
    assertThat(r.body()).doesNotContain("pcl_not_a_key_of_this_gateway");
  }

  @Test
  void foreignOriginAnswers403AndNothingRuns() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r =
        send(
            http,
            mcp(GatewayFixture.SUPPORT_KEY, session, GET_CUSTOMER)
                .header("Origin", "https://evil.example"));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains(ProblemType.ORIGIN_NOT_ALLOWED.uri());
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void hostNotAllowedAnswers403AndNothingRuns() {
    // The JDK client will not set Host itself; a DNS-rebinding page would send its own name.
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    String response =
        rawPost(
            "evil.example:" + gateway.port(), GatewayFixture.SUPPORT_KEY, session, GET_CUSTOMER);

    assertThat(response).startsWith("HTTP/1.1 403 ").contains(ProblemType.HOST_NOT_ALLOWED.uri());
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  // --- JSON-RPC framing ---

  @Test
  void malformedJsonIsParseError() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r =
        send(http, mcp(GatewayFixture.SUPPORT_KEY, session, "{\"jsonrpc\":\"2.0\",\"id\":1,"));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(body(r).at("/error/code").asInt()).isEqualTo(-32700);
    assertThat(body(r).get("id").isNull()).isTrue();
  }

  @Test
  void batchIsInvalidRequest() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r =
        send(http, mcp(GatewayFixture.SUPPORT_KEY, session, "[" + GET_CUSTOMER + "," + LIST + "]"));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(body(r).at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void notificationIsAcceptedWith202AndNoBody() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r =
        send(
            http,
            mcp(
                GatewayFixture.SUPPORT_KEY,
                session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));

    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void unknownMethodIsMethodNotFound() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r =
        send(
            http,
            mcp(
                GatewayFixture.SUPPORT_KEY,
                session,
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/list\"}"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(body(r).at("/error/code").asInt()).isEqualTo(-32601);
    assertThat(body(r).at("/id").asInt()).isEqualTo(7);
  }

  @Test
  void unsupportedProtocolVersionHeaderAnswers400AndNothingRuns() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r =
        send(
            http,
            mcp(GatewayFixture.SUPPORT_KEY, session, GET_CUSTOMER)
                .header("MCP-Protocol-Version", "1999-01-01"));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(body(r).at("/error/message").asString()).contains("1999-01-01");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void duplicateKeysInTheMessageAreRefused() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> r =
        send(
            http,
            mcp(
                GatewayFixture.SUPPORT_KEY,
                session,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"tools/list\"}"));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(body(r).at("/error/code").asInt()).isEqualTo(-32700);
    assertThat(body(r).at("/error/message").asString()).containsIgnoringCase("duplicate");
  }

  @Test
  void duplicateKeysInToolArgumentsAreRefusedAndNothingRuns() {
    String session = initialize(GatewayFixture.BILLING_KEY);
    String refund =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"orders_refund\","
            + "\"arguments\":{\"orderId\":\"O-5001\",\"amount\":10,\"amount\":1000,\"reason\":\"double\"}}}";

    HttpResponse<String> r = send(http, mcp(GatewayFixture.BILLING_KEY, session, refund));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(body(r).at("/error/code").asInt()).isEqualTo(-32700);
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void oversizedBodyAnswers413AndNothingRuns() {
    String session = initialize(GatewayFixture.SUPPORT_KEY);
    // A call that would run, padded past server.maxRequestBytes (1 MiB by default).
    String padded =
        GET_CUSTOMER.substring(0, GET_CUSTOMER.length() - 1)
            + ",\"padding\":\""
            + "x".repeat(1024 * 1024)
            + "\"}";

    // Expect: 100-continue, so the refusal (on the declared Content-Length) does not race the
    // upload.
    HttpResponse<String> r =
        send(http, mcp(GatewayFixture.SUPPORT_KEY, session, padded).expectContinue(true));

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  // --- helpers ---

  private String initialize(String key) {
    HttpResponse<String> r = send(http, mcp(key, null, initializeBody("2025-11-25")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
  }

  private static String initializeBody(String version) {
    return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
        + version
        + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw-test\",\"version\":\"0\"}}}";
  }

  private HttpRequest.Builder request(String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(gateway.baseUri().resolve("/mcp")).timeout(Duration.ofSeconds(30));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }

  private HttpRequest.Builder mcp(String key, String session, String body) {
    HttpRequest.Builder b =
        request(key)
            .header("Content-Type", "application/json")
            .header("Accept", ACCEPT)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Mcp-Session-Id", session);
    }
    return b;
  }

  private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) {
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
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

  /** A POST over a plain socket, for the one header the JDK client refuses to set: Host. */
  private String rawPost(String host, String key, String session, String body) {
    URI base = gateway.baseUri();
    byte[] payload = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /mcp HTTP/1.1\r\n"
            + "Host: "
            + host
            + "\r\n"
            + "Authorization: Bearer "
            + key
            + "\r\n"
            + "Mcp-Session-Id: "
            + session
            + "\r\n"
            + "Content-Type: application/json\r\n"
            + "Accept: "
            + ACCEPT
            + "\r\n"
            + "Content-Length: "
            + payload.length
            + "\r\n"
            + "Connection: close\r\n\r\n";
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
