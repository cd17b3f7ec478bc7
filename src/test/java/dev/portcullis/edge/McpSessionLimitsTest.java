package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.GatewayExtension;
import dev.portcullis.testing.GatewayFixture;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code server.mcpSessions} on a real gateway: an agent that opens sessions in a loop reaches its
 * own bound and gets a typed refusal, and another agent still gets a session.
 */
class McpSessionLimitsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String INIT =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
          + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"loop\",\"version\":\"0\"}}}";

  @RegisterExtension
  static final GatewayExtension GATEWAY =
      GatewayExtension.config(
          dir -> {
            Path config = dir.resolve("portcullis.yaml");
            Files.createDirectories(dir.resolve("policies"));
            String demo = Files.readString(GatewayFixture.DEMO_CONFIG, StandardCharsets.UTF_8);
            Files.writeString(
                config,
                demo.replaceFirst(
                    "\nserver:\n", "\nserver:\n  mcpSessions: {max: 10, perAgent: 3}\n"));
            try (var policies = Files.list(GatewayFixture.DEMO_CONFIG.resolveSibling("policies"))) {
              for (Path p : policies.toList()) {
                Files.copy(p, dir.resolve("policies").resolve(p.getFileName()));
              }
            }
            return config;
          });

  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final GatewayFixture gateway;

  McpSessionLimitsTest(GatewayFixture gateway) {
    this.gateway = gateway;
  }

  @AfterAll
  static void stop() {
    http.close();
  }

  @Test
  void anAgentAtItsSessionBoundIsRefusedWhileAnotherAgentStillInitializes() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(initialize(GatewayFixture.SUPPORT_KEY).statusCode()).isEqualTo(200);
    }

    HttpResponse<String> refused = initialize(GatewayFixture.SUPPORT_KEY);
    HttpResponse<String> other = initialize(GatewayFixture.BILLING_KEY);

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    JsonNode error = JSON.readTree(refused.body()).path("error");
    assertThat(error.path("data").path("type").asString())
        .isEqualTo("urn:portcullis:problem:too-many-sessions");
    assertThat(refused.headers().firstValue("Mcp-Session-Id")).isEmpty();
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
    assertThat(other.headers().firstValue("Mcp-Session-Id")).isPresent();
  }

  private HttpResponse<String> initialize(String key) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(gateway.baseUri().resolve("/mcp"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(INIT))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
