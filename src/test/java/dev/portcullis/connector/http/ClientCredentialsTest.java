package dev.portcullis.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.testing.Invocations;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretSources;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Upstream OAuth 2.0 client credentials: a real authorization server (mock-oauth2-server) issues
 * the connector's tokens; a real HTTP upstream records what reaches it.
 */
class ClientCredentialsTest {
  private static final String CLIENT_SECRET = "client-secret-value-7f3a";

  @TempDir Path data;
  private MockOAuth2Server idp;
  private HttpServer upstream;
  private final List<String> bearers = new CopyOnWriteArrayList<>();
  private final List<String> allHeaders = new CopyOnWriteArrayList<>();
  private final AtomicInteger rejectNext = new AtomicInteger();
  private final TestClock clock = new TestClock(Instant.now());

  @BeforeEach
  void start() throws Exception {
    idp = new MockOAuth2Server();
    idp.start();
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext(
        "/",
        ex -> {
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          bearers.add(auth);
          ex.getRequestHeaders().forEach((k, v) -> allHeaders.add(k + ": " + v));
          int status = rejectNext.getAndSet(0) > 0 ? 401 : 200;
          byte[] body = ("{\"echo\":\"" + auth + "\"}").getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(status, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    upstream.start();
  }

  @AfterEach
  void stop() {
    upstream.stop(0);
    idp.shutdown();
  }

  private HttpConnector connector(URI tokenUri) {
    HttpOperation op =
        new HttpOperation(
            "tool_x",
            "GET",
            UrlTemplate.parse("/x"),
            List.of(),
            HttpOperation.BodyMode.NONE,
            Duration.ofSeconds(5));
    return new HttpConnector(
        "crm",
        URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()),
        Optional.of(
            new HttpAuth.ClientCredentials(
                tokenUri, "crm-client", SecretRef.parse("env:CRM_SECRET"), "crm.read")),
        Map.of("tool_x", op),
        new SecretSources(Map.of("CRM_SECRET", CLIENT_SECRET), data),
        Duration.ofSeconds(2),
        JsonMapper.builder().build(),
        clock);
  }

  private HttpConnector connector() {
    return connector(URI.create(idp.tokenEndpointUrl("upstream").toString()));
  }

  private static ConnectorResult call(HttpConnector c) {
    return c.invoke(Invocations.call("agent-a", "tool_x", "{}"));
  }

  @Test
  void fetchesOneTokenAndReusesItUntilShortlyBeforeItExpires() {
    HttpConnector c = connector();
    call(c);
    call(c);
    clock.advance(Duration.ofMinutes(59));
    call(c);
    clock.advance(Duration.ofSeconds(40));
    call(c);

    assertThat(bearers).allSatisfy(b -> assertThat(b).startsWith("Bearer ey"));
    assertThat(bearers.subList(0, 3)).containsOnly(bearers.getFirst());
    assertThat(bearers.get(3)).as("renewed within 30 s of expiry").isNotEqualTo(bearers.getFirst());
  }

  @Test
  void aRefusedTokenIsFetchedAgainOnTheNextCall() {
    HttpConnector c = connector();
    call(c);
    rejectNext.set(1);
    ConnectorResult refused = call(c);
    call(c);

    assertThat(refused)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_REJECTED));
    assertThat(bearers.get(2)).isNotEqualTo(bearers.get(1));
  }

  @Test
  void theTokenNeverReachesTheAgentAndTheClientSecretNeverReachesTheUpstream() {
    ConnectorResult r = call(connector());

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Success.class,
            s -> assertThat(s.value().toString()).isEqualTo("{\"echo\":\"Bearer [REDACTED]\"}"));
    assertThat(String.join("\n", allHeaders)).doesNotContain(CLIENT_SECRET);
  }

  @Test
  void anUnreachableTokenEndpointFailsTheCallWithoutReachingTheUpstream() throws Exception {
    int closed;
    try (var s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    ConnectorResult r = call(connector(URI.create("http://127.0.0.1:" + closed + "/token")));

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.CREDENTIAL_UNAVAILABLE);
              assertThat(f.detail()).isEqualTo("the credential for connector crm is unavailable");
            });
    assertThat(bearers).isEmpty();
  }

  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
