package dev.portcullis.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.testing.Invocations;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretSources;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP connector against a real HTTP server that records what reached it. */
class HttpConnectorTest {
  private static final String SECRET = "s3cr3t-upstream-token-value";

  @TempDir Path data;
  private HttpServer upstream;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile Consumer<HttpExchange> responder =
      ex -> reply(ex, 200, "application/json", "{\"ok\":true}");
  private final CountDownLatch release = new CountDownLatch(1);

  record Seen(
      String method,
      String rawPath,
      String rawQuery,
      Map<String, List<String>> headers,
      String body) {}

  @BeforeEach
  void startUpstream() throws IOException {
    upstream =
        HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext(
        "/",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          seen.add(
              new Seen(
                  ex.getRequestMethod(),
                  ex.getRequestURI().getRawPath(),
                  ex.getRequestURI().getRawQuery(),
                  Map.copyOf(ex.getRequestHeaders()),
                  body));
          responder.accept(ex);
        });
    upstream.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    upstream.start();
  }

  @AfterEach
  void stopUpstream() {
    release.countDown();
    upstream.stop(0);
  }

  private static void reply(HttpExchange ex, int status, String type, String body) {
    try {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", type);
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        ex.getResponseBody().write(bytes);
      }
      ex.close();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpConnector connector(
      String method,
      String path,
      List<String> query,
      HttpOperation.BodyMode body,
      Duration timeout,
      Map<String, String> env) {
    URI base = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/api");
    HttpOperation op =
        new HttpOperation("tool_x", method, UrlTemplate.parse(path), query, body, timeout);
    return new HttpConnector(
        "up",
        base,
        Optional.of(HttpAuth.bearer(SecretRef.parse("env:UP_TOKEN"))),
        Map.of("tool_x", op),
        new SecretSources(env, data),
        Duration.ofSeconds(2),
        tools.jackson.databind.json.JsonMapper.builder().build());
  }

  private HttpConnector getConnector(String path, List<String> query) {
    return connector(
        "GET",
        path,
        query,
        HttpOperation.BodyMode.NONE,
        Duration.ofSeconds(5),
        Map.of("UP_TOKEN", SECRET));
  }

  private static Invocation call(String args) {
    return Invocations.call("agent-a", "tool_x", args);
  }

  /**
   * What recovery may record for a re-sent write: only a refusal of the request itself says the
   * call did not take effect; an answer about the credential, timing, rate or key, or a server
   * error, does not.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "{0} settles: {1}")
  @org.junit.jupiter.params.provider.CsvSource({
    "400, true", "404, true", "410, true", "401, false", "403, false", "408, false",
    "409, false", "422, false", "425, false", "429, false", "500, false", "503, false"
  })
  void onlyARefusalOfTheRequestItselfIsAConclusiveFailure(int status, boolean conclusive) {
    responder = ex -> reply(ex, status, "application/json", "{\"error\":\"no\"}");

    ConnectorResult r = getConnector("/customers/{id}", List.of()).invoke(call("{\"id\":\"C-1\"}"));

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> assertThat(f.conclusive()).as(f.detail()).isEqualTo(conclusive));
  }

  @Test
  void sendsTheCredentialOnlyInItsHeaderAndForwardsTraceContext() {
    ConnectorResult r = getConnector("/customers/{id}", List.of()).invoke(call("{\"id\":\"C-1\"}"));

    assertThat(r).isInstanceOf(ConnectorResult.Success.class);
    Seen s = seen.getFirst();
    assertThat(s.headers().get("Authorization")).containsExactly("Bearer " + SECRET);
    assertThat(s.headers().get("Traceparent"))
        .singleElement()
        .asString()
        .startsWith("00-0af7651916cd43dd8448eb211c80319c-");
    assertThat(s.rawPath()).isEqualTo("/api/customers/C-1");
  }

  @Test
  void encodesAPathArgumentAsOneSegment() {
    HttpConnector c = getConnector("/customers/{id}/orders", List.of());
    c.invoke(call("{\"id\":\"a b?x=1#f&y;z\"}"));
    c.invoke(call("{\"id\":\"...\"}"));

    assertThat(seen)
        .extracting(Seen::rawPath)
        .containsExactly(
            "/api/customers/a%20b%3Fx%3D1%23f%26y%3Bz/orders", "/api/customers/.../orders");
  }

  private String refusedPath(HttpConnector c, String args) {
    ConnectorResult r = c.invoke(call(args));
    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_REJECTED));
    return ((ConnectorResult.Failure) r).detail();
  }

  @Test
  void refusesAnEmptyOrMissingPathArgumentInsteadOfAddressingTheCollection() {
    HttpConnector c = getConnector("/customers/{id}", List.of());
    assertThat(refusedPath(c, "{\"id\":\"\"}"))
        .isEqualTo("connector up refused the call: path parameter 'id' is empty; nothing was sent");
    assertThat(refusedPath(c, "{}"))
        .isEqualTo(
            "connector up refused the call: path parameter 'id' is missing; nothing was sent");
    assertThat(refusedPath(c, "{\"id\":null}"))
        .isEqualTo(
            "connector up refused the call: path parameter 'id' is missing; nothing was sent");
    assertThat(refusedPath(c, "{\"id\":[\"a\"]}"))
        .isEqualTo(
            "connector up refused the call: path parameter 'id' must be a string, number or boolean; "
                + "nothing was sent");
    assertThat(seen).isEmpty();
  }

  @Test
  void refusesDotSegmentsAndValuesAServerMayDecodeIntoAnotherPath() {
    HttpConnector c = getConnector("/customers/{id}/orders", List.of());
    for (String dots : List.of(".", "..")) {
      assertThat(refusedPath(c, "{\"id\":\"" + dots + "\"}"))
          .isEqualTo(
              "connector up refused the call: path parameter 'id' is a dot segment ('"
                  + dots
                  + "'); nothing was sent");
    }
    for (String walker :
        List.of("../../admin", "a/b", "..%2Fadmin", "%2e%2e", "..%252Fadmin", "a\\b", "a\tb")) {
      assertThat(refusedPath(c, "{\"id\":" + Invocations.JSON.writeValueAsString(walker) + "}"))
          .as(walker)
          .isEqualTo(
              "connector up refused the call: path parameter 'id' contains '/', '\\', '%' or a control "
                  + "character, which a server may decode into another path; nothing was sent");
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void refusesArgumentsThatTogetherWouldMakeADotDotSegment() {
    // "/v1/{a}{b}" with "." and "." would render %2E%2E, which servers decode to "..": each dot is
    // refused.
    String detail =
        refusedPath(getConnector("/v1/{a}{b}/items", List.of()), "{\"a\":\".\",\"b\":\".\"}");

    assertThat(detail).endsWith("is a dot segment ('.'); nothing was sent");
    assertThat(seen).isEmpty();
  }

  @Test
  void sendsQueryArgumentsEncodedAndSkipsAbsentOnes() {
    getConnector("/customers", List.of("email", "limit"))
        .invoke(call("{\"email\":\"a+b@x.com&admin=1\"}"));

    assertThat(seen.getFirst().rawQuery()).isEqualTo("email=a%2Bb%40x.com%26admin%3D1");
  }

  @Test
  void sendsRemainingArgumentsAsJsonBodyWithIdempotencyKey() {
    HttpConnector c =
        connector(
            "POST",
            "/orders/{orderId}/refunds",
            List.of(),
            HttpOperation.BodyMode.REMAINING_ARGUMENTS,
            Duration.ofSeconds(5),
            Map.of("UP_TOKEN", SECRET));
    Invocation inv = call("{\"orderId\":\"O-1\",\"amount\":12.5,\"reason\":\"late\"}");
    inv =
        new Invocation(
            inv.invocationId(),
            inv.traceId(),
            inv.requestId(),
            "key-123",
            inv.agent(),
            inv.user(),
            inv.sessionId(),
            inv.channel(),
            inv.toolName(),
            inv.tool(),
            inv.arguments(),
            inv.policyContext(),
            inv.receivedAt(),
            inv.state(),
            inv.decision(),
            null);
    c.invoke(inv);

    Seen s = seen.getFirst();
    assertThat(s.method()).isEqualTo("POST");
    assertThat(s.rawPath()).isEqualTo("/api/orders/O-1/refunds");
    assertThat(s.body()).isEqualTo("{\"amount\":12.5,\"reason\":\"late\"}");
    assertThat(s.headers().get("Idempotency-key"))
        .singleElement()
        .asString()
        .as("derived from the agent's key, never the agent's key itself")
        .startsWith("pcl1-")
        .doesNotContain("key-123");
  }

  @Test
  void masksTheCredentialWhenTheUpstreamEchoesItInAnError() {
    responder =
        ex ->
            reply(
                ex,
                401,
                "text/plain",
                "bad token " + ex.getRequestHeaders().getFirst("Authorization"));
    ConnectorResult r = getConnector("/echo", List.of()).invoke(call("{}"));

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_REJECTED);
              assertThat(f.detail())
                  .doesNotContain(SECRET)
                  .contains("answered 401")
                  .contains("[REDACTED]");
            });
  }

  @Test
  void masksTheCredentialWhenTheUpstreamEchoesItWithJsonEscapes() {
    String slashed = "tok/with+slashes/and=";
    responder =
        ex ->
            reply(
                ex,
                200,
                "application/json",
                "{\"echo\":\""
                    + ex.getRequestHeaders()
                        .getFirst("Authorization")
                        .replace("/", "\\/")
                        .replace("t", "\\u0074")
                    + "\"}");
    HttpConnector c =
        connector(
            "GET",
            "/echo",
            List.of(),
            HttpOperation.BodyMode.NONE,
            Duration.ofSeconds(5),
            Map.of("UP_TOKEN", slashed));

    assertThat(c.invoke(call("{}")))
        .isInstanceOfSatisfying(
            ConnectorResult.Success.class,
            s -> {
              assertThat(s.value().path("echo").asString()).isEqualTo("Bearer [REDACTED]");
              assertThat(s.credential().echoMasked()).isTrue();
            });
  }

  @Test
  void masksTheCredentialWhenTheUpstreamEchoesItWithJsonEscapesInAnError() {
    String slashed = "tok/with+slashes/and=";
    responder =
        ex ->
            reply(
                ex,
                401,
                "application/problem+json",
                "{\"detail\":\"bad token "
                    + ex.getRequestHeaders().getFirst("Authorization").replace("/", "\\/")
                    + "\"}");
    HttpConnector c =
        connector(
            "GET",
            "/echo",
            List.of(),
            HttpOperation.BodyMode.NONE,
            Duration.ofSeconds(5),
            Map.of("UP_TOKEN", slashed));

    assertThat(c.invoke(call("{}")))
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> {
              assertThat(f.detail())
                  .isEqualTo(
                      "upstream up answered 401: {\"detail\":\"bad token Bearer [REDACTED]\"}");
              assertThat(f.credential().echoMasked()).isTrue();
            });
  }

  @Test
  void serverErrorIsATypedFailureAndIsNotRetried() {
    responder = ex -> reply(ex, 503, "application/json", "{\"error\":\"down\"}");
    ConnectorResult r = getConnector("/x", List.of()).invoke(call("{}"));

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_ERROR));
    assertThat(seen).hasSize(1);
  }

  @Test
  void slowUpstreamIsATimeout() {
    responder =
        ex -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          reply(ex, 200, "application/json", "{}");
        };
    HttpConnector c =
        connector(
            "GET",
            "/slow",
            List.of(),
            HttpOperation.BodyMode.NONE,
            Duration.ofMillis(200),
            Map.of("UP_TOKEN", SECRET));

    assertThat(c.invoke(call("{}")))
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_TIMEOUT);
              assertThat(f.detail()).isEqualTo("upstream up did not answer within 200 ms");
            });
  }

  @Test
  void nonJsonBodyBecomesAString() {
    responder = ex -> reply(ex, 200, "text/plain", "plain words");
    ConnectorResult r = getConnector("/x", List.of()).invoke(call("{}"));

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Success.class,
            s -> assertThat(s.value().asString()).isEqualTo("plain words"));
  }

  @Test
  void followsNoRedirects() {
    responder =
        ex -> {
          ex.getResponseHeaders().add("Location", "http://127.0.0.1:1/elsewhere");
          reply(ex, 302, "text/plain", "");
        };
    ConnectorResult r = getConnector("/x", List.of()).invoke(call("{}"));

    assertThat(r).isInstanceOf(ConnectorResult.Failure.class);
    assertThat(seen).hasSize(1);
  }
}
