package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A hostile upstream puts personal data where the result filter used not to look (an error body, an
 * object key): through a real gateway, neither the agent's answer, the stored call nor the audit
 * log holds it unredacted.
 */
class UpstreamPersonalDataTest {
  private static final String KEY = GatewayFixture.SUPPORT_KEY;
  private static final String EMAIL = "maria.rossi@example.com";
  private static final String CARD = "4111 1111 1111 1111";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir static Path data;
  @TempDir static Path configDir;
  static HttpServer upstream;
  static GatewayFixture gateway;

  @BeforeAll
  static void start() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/", UpstreamPersonalDataTest::answer);
    upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    upstream.start();
    Files.createDirectories(configDir.resolve("policies"));
    Files.writeString(configDir.resolve("portcullis.yaml"), CONFIG, StandardCharsets.UTF_8);
    Files.writeString(configDir.resolve("policies/support.yaml"), POLICY, StandardCharsets.UTF_8);
    gateway =
        GatewayFixture.start(
            data,
            configDir.resolve("portcullis.yaml"),
            Map.of("HOSTILE_URL", "http://127.0.0.1:" + upstream.getAddress().getPort()));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.stop(0);
  }

  private static void answer(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    int status;
    String type = "application/json";
    String body;
    switch (path) {
      case "/things/rejected" -> {
        status = 400;
        body =
            "{\"error\":\"customer "
                + EMAIL
                + " paid with card "
                + CARD
                + ", which was declined\"}";
      }
      case "/things/broken" -> {
        status = 500;
        type = "text/plain";
        // the personal data straddles the connector's 200-character excerpt
        body = "x".repeat(185) + " " + EMAIL + " " + CARD;
      }
      case "/things/keyed" -> {
        status = 200;
        body = "{\"byEmail\":{\"" + EMAIL + "\":{\"tier\":\"gold\"}},\"" + CARD + "\":true}";
      }
      default -> {
        status = 404;
        body = "{}";
      }
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private static void assertNowhere(HttpResponse<String> r) throws Exception {
    String id = JSON.readTree(r.body()).path("invocationId").asString();
    assertThat(id).isNotBlank();
    String stored = gateway.get("/v1/invocations/" + id, KEY).body();
    List<AuditRecord> records =
        gateway.audit().stream().filter(a -> a.entry().invocationId().equals(id)).toList();
    assertThat(records).isNotEmpty();
    for (String text : List.of(r.body(), stored, records.toString())) {
      assertThat(text)
          .doesNotContain(EMAIL)
          .doesNotContain("maria.rossi")
          .doesNotContain(CARD)
          .doesNotContain("4111 1111");
    }
  }

  @Test
  void anUpstreamErrorBodyIsRedactedInTheAnswerTheStoredCallAndTheAuditLog() throws Exception {
    HttpResponse<String> r =
        gateway.invoke("hostile_get", KEY, "{\"arguments\":{\"id\":\"rejected\"}}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(JSON.readTree(r.body()).path("type").asString())
        .isEqualTo("urn:portcullis:problem:upstream-rejected");
    assertThat(r.body())
        .contains("[redacted:email]")
        .contains("[redacted:card]")
        .contains("declined");
    assertNowhere(r);
  }

  @Test
  void personalDataCutByTheErrorExcerptLeavesNoFragment() throws Exception {
    HttpResponse<String> r =
        gateway.invoke("hostile_get", KEY, "{\"arguments\":{\"id\":\"broken\"}}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(JSON.readTree(r.body()).path("type").asString())
        .isEqualTo("urn:portcullis:problem:upstream-error");
    assertNowhere(r);
  }

  @Test
  void anObjectKeyHoldingPersonalDataIsRedactedAndReportedByItsRedactedPath() throws Exception {
    HttpResponse<String> r =
        gateway.invoke("hostile_get", KEY, "{\"arguments\":{\"id\":\"keyed\"}}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("result").toString())
        .isEqualTo(
            "{\"byEmail\":{\"[redacted:email]\":{\"tier\":\"gold\"}},\"[redacted:card]\":true}");
    assertNowhere(r);
  }

  private static final String CONFIG =
      """
      apiVersion: portcullis.dev/v1alpha1
      kind: Gateway
      agents:
        - id: support-assistant
          tenant: acme
          keys: [sha256:cfc5abe5ab89535cafe1ded4d765d9d3a2e8f2d62682b8bea011bd51d96abef9]
      connectors:
        - name: hostile
          type: http
          baseUrl: ${HOSTILE_URL}
          auth: {type: bearer, secret: "file:secrets/acme-api-token"}
      tools:
        - name: hostile_get
          description: Reads one thing.
          risk: read
          connector: hostile
          http: {method: GET, path: "/things/{id}"}
          inputSchema:
            type: object
            properties:
              id: {type: string}
            required: [id]
      policies:
        - policies/
      """;

  private static final String POLICY =
      """
      apiVersion: portcullis.dev/v1alpha1
      kind: PolicySet
      rules:
        - id: support-hostile
          effect: permit
          target:
            agents: [support-assistant]
            tools: [hostile_get]
      """;
}
