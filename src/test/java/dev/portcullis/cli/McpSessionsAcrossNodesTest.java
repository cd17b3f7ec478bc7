package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Postgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MCP session hops between two gateway nodes on one PostgreSQL store, as behind a load balancer
 * with no stickiness: each node has its own data directory and process state, and builds its
 * sessions from the shared store and the installation's key.
 */
class McpSessionsAcrossNodesTest {
  private static final String INIT =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
          + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"hopper\",\"version\":\"0\"}}}";
  private static final String GET_CUSTOMER =
      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
          + "\"params\":{\"name\":\"crm_get_customer\",\"arguments\":{\"customerId\":\"C-1001\"}}}";

  @TempDir Path dir;
  private GatewayFixture nodeA;
  private GatewayFixture nodeB;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws IOException {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    Path config =
        GatewayFixture.demoConfigWith(
            Files.createDirectories(dir.resolve("config")),
            "store:\n  type: postgres\n  url: " + db.url() + "\n  user: " + db.user() + "\n");
    nodeA = GatewayFixture.start(dir.resolve("node-a"), config, Map.of());
    nodeB = GatewayFixture.start(dir.resolve("node-b"), config, Map.of());
  }

  @AfterEach
  void stop() {
    if (nodeB != null) {
      nodeB.close();
    }
    if (nodeA != null) {
      nodeA.close();
    }
    http.close();
  }

  @Test
  void aSessionOpenedOnOneNodeCallsOnTheOtherAndEndsOnBoth() {
    String session = open(a(), GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> call = send(post(b(), GatewayFixture.SUPPORT_KEY, session, GET_CUSTOMER));
    assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
    assertThat(call.body()).contains("Maria Keller");
    assertThat(nodeB.acme().requestLog()).containsExactly("GET /api/customers/C-1001");
    assertThat(nodeA.acme().requestLog()).isEmpty();

    HttpResponse<String> ended = send(request(b(), GatewayFixture.SUPPORT_KEY, session).DELETE());
    assertThat(ended.statusCode()).isEqualTo(204);

    HttpResponse<String> after = send(post(a(), GatewayFixture.SUPPORT_KEY, session, GET_CUSTOMER));
    assertThat(after.statusCode()).as("ended on the other node").isEqualTo(404);
    assertThat(nodeA.acme().requestLog()).isEmpty();
  }

  @Test
  void anotherAgentsKeyFindsNoSessionOnAnyNode() {
    String session = open(a(), GatewayFixture.SUPPORT_KEY);

    HttpResponse<String> stolen =
        send(post(b(), GatewayFixture.BILLING_KEY, session, GET_CUSTOMER));
    HttpResponse<String> ended = send(request(b(), GatewayFixture.BILLING_KEY, session).DELETE());

    assertThat(stolen.statusCode()).isEqualTo(404);
    assertThat(ended.statusCode()).isEqualTo(404);
    assertThat(send(post(a(), GatewayFixture.SUPPORT_KEY, session, GET_CUSTOMER)).statusCode())
        .as("the owner's session survives")
        .isEqualTo(200);
  }

  private URI a() {
    return nodeA.baseUri();
  }

  private URI b() {
    return nodeB.baseUri();
  }

  private String open(URI node, String key) {
    HttpResponse<String> r = send(post(node, key, null, INIT));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
  }

  private static HttpRequest.Builder request(URI node, String key, String session) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(node.resolve("/mcp"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .header("Accept", "application/json, text/event-stream");
    if (session != null) {
      b.header("Mcp-Session-Id", session);
    }
    return b;
  }

  private static HttpRequest.Builder post(URI node, String key, String session, String body) {
    return request(node, key, session)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
