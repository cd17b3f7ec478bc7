package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.cli.Assembly;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.identity.ApiKeys;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Arbitrary bodies POSTed to the MCP door of an established session, over Jetty's in-memory
 * connector (the real HTTP parser, router, guard, body reader, JSON-RPC checks and dispatcher; no
 * socket): every body gets a JSON-RPC response (an error, or the result of a valid dispatch) or a
 * 202 for a notification or response, never an internal error or an exception out of a handler.
 */
class McpRoutesFuzzTest {
  private static final String KEY = "pcl_fuzz_agent_key_for_the_mcp_door_only";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Harness HARNESS = Harness.start();

  @FuzzTest
  @DictionaryEntries({
    "\"jsonrpc\"",
    "\"2.0\"",
    "\"id\"",
    "\"method\"",
    "\"params\"",
    "\"result\"",
    "\"error\"",
    "\"initialize\"",
    "\"ping\"",
    "\"tools/list\"",
    "\"tools/call\"",
    "\"name\"",
    "\"arguments\"",
    "\"_meta\"",
    "\"progressToken\"",
    "\"portcullis/idempotencyKey\"",
    "\"traceparent\"",
    "\"portcullis_outcome\"",
    "\"invocationId\"",
    "\"customers_in_region\"",
    "\"region\"",
    "\"protocolVersion\"",
    "\"capabilities\"",
    "\"clientInfo\"",
    "\"2025-11-25\"",
    "\"2026-07-28\"",
    "\"io.modelcontextprotocol/protocolVersion\"",
    "\"server/discover\"",
    "9223372036854775807",
    "9223372036854775808",
    "-1",
    "1.5",
    "null",
    "true",
    "[]",
    "{}"
  })
  void everyBodyGetsAJsonRpcAnswerNeverAnInternalError(byte[] body) throws Exception {
    HttpTester.Response response = HARNESS.post(body);

    Throwable escaped = HARNESS.escaped.getAndSet(null);
    if (escaped != null) {
      throw new AssertionError(
          "a handler threw on body " + new String(body, StandardCharsets.UTF_8), escaped);
    }
    assertThat(response.getStatus()).as(response.getContent()).isNotEqualTo(500);
    if (response.getStatus() == 202) {
      assertThat(response.getContent()).isEmpty();
      return;
    }
    assertThat(response.get("Content-Type")).startsWith("application/json");
    JsonNode answer = JSON.readTree(response.getContent());
    assertThat(answer.path("jsonrpc").asString()).as(response.getContent()).isEqualTo("2.0");
    assertThat(answer.has("result") ^ answer.has("error")).as(response.getContent()).isTrue();
    if (answer.has("error")) {
      assertThat(answer.path("error").path("code").isInt()).as(response.getContent()).isTrue();
      assertThat(answer.path("error").path("message").isString())
          .as(response.getContent())
          .isTrue();
    }
    JsonNode id = answer.path("id");
    assertThat(id.isNull() || id.isString() || id.isIntegralNumber())
        .as(response.getContent())
        .isTrue();
  }

  /**
   * A gateway assembled from a small configuration (one agent, one SQL tool, no policy, so every
   * call is denied and nothing runs), with the MCP routes on a Javalin whose only used connector is
   * in memory, and one session opened.
   */
  private static final class Harness {
    final AtomicReference<Throwable> escaped = new AtomicReference<>();
    LocalConnector connector;
    String session;

    static Harness start() {
      try {
        Path dir = Files.createTempDirectory("portcullis-mcp-fuzz");
        Path config = dir.resolve("portcullis.yaml");
        Files.writeString(
            config,
            """
            apiVersion: portcullis.dev/v1alpha1
            kind: Gateway
            agents:
              - id: fuzzer
                keys: [%s]
            connectors:
              - name: crm-db
                type: sql
                jdbcUrl: jdbc:sqlite:%s
                maxRows: 50
                timeout: 5s
                relations:
                  customers: [id, name, region]
            tools:
              - name: customers_in_region
                description: Lists the customers of one region.
                risk: read
                connector: crm-db
                sql:
                  query: "SELECT id, name FROM customers WHERE region = :region"
                inputSchema:
                  type: object
                  properties:
                    region: {type: string}
                  required: [region]
            """
                .formatted(ApiKeys.hash(KEY), dir.resolve("crm.db")),
            StandardCharsets.UTF_8);
        Assembly assembly =
            Assembly.open(
                ConfigLoader.load(config, Map.of()),
                dir.resolve("data"),
                Map.of(),
                Clock.systemUTC());
        Harness h = new Harness();
        h.serve(assembly.gateway());
        h.session = h.initialize();
        return h;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the MCP fuzz harness: " + e.getMessage(), e);
      }
    }

    private void serve(Gateway gateway) {
      EdgeSettings settings =
          new EdgeSettings(
              "127.0.0.1",
              0,
              List.of("localhost"),
              List.of(),
              1_048_576,
              "fuzz",
              Duration.ZERO,
              McpSessions.Limits.DEFAULT);
      Guard guard = new Guard(settings, gateway.identities());
      RequestBodies bodies = new RequestBodies(EdgeJson.strictMapper(), settings.maxRequestBytes());
      McpSessions sessions = McpSessions.inMemory(gateway.clock(), settings.sessions());
      McpWaits waits = new McpWaits(gateway.invocations(), gateway.approvals().signals());
      McpRoutes mcp =
          new McpRoutes(
              gateway,
              guard,
              bodies,
              sessions,
              settings,
              waits,
              new McpTaskIds(McpTaskIds.newKey()));
      Javalin app =
          Javalin.create(
              cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.startup.showOldJavalinVersionWarning = false;
                cfg.http.maxRequestSize = settings.maxRequestBytes();
                cfg.jetty.host = "127.0.0.1";
                cfg.jetty.port = 0;
                cfg.jetty.addConnector(
                    (server, http) -> {
                      connector = new LocalConnector(server, new HttpConnectionFactory(http));
                      return connector;
                    });
                cfg.routes.before(guard::checkHostAndOrigin);
                mcp.register(cfg.routes);
                // As GatewayServer: a refusal is rendered as its problem; anything else is what
                // this test hunts.
                cfg.routes.exception(
                    EdgeRejection.class,
                    (e, ctx) -> Responses.problem(ctx, gateway.json(), e.problem(), e.headers()));
                cfg.routes.exception(
                    Exception.class,
                    (e, ctx) -> {
                      escaped.set(e);
                      ctx.status(500);
                    });
              });
      app.start();
    }

    private String initialize() throws Exception {
      HttpTester.Response init =
          post(
              ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                      + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}")
                  .getBytes(StandardCharsets.UTF_8),
              null);
      if (init.getStatus() != 200 || init.get("Mcp-Session-Id") == null) {
        throw new IllegalStateException(
            "initialize answered " + init.getStatus() + ": " + init.getContent());
      }
      return init.get("Mcp-Session-Id");
    }

    HttpTester.Response post(byte[] body) throws Exception {
      return post(body, session);
    }

    private HttpTester.Response post(byte[] body, String sessionId) throws Exception {
      String head =
          "POST /mcp HTTP/1.1\r\n"
              + "Host: localhost\r\n"
              + "Authorization: Bearer "
              + KEY
              + "\r\n"
              + "Content-Type: application/json\r\n"
              + "Accept: application/json, text/event-stream\r\n"
              + (sessionId == null ? "" : "Mcp-Session-Id: " + sessionId + "\r\n")
              + "Content-Length: "
              + body.length
              + "\r\n"
              + "Connection: close\r\n\r\n";
      byte[] head8 = head.getBytes(StandardCharsets.US_ASCII);
      ByteBuffer request =
          ByteBuffer.allocate(head8.length + body.length).put(head8).put(body).flip();
      ByteBuffer raw = connector.getResponse(request, 10, TimeUnit.SECONDS);
      if (raw == null) {
        throw new AssertionError(
            "no response within 10 s to " + new String(body, StandardCharsets.UTF_8));
      }
      return HttpTester.parseResponse(raw);
    }
  }
}
