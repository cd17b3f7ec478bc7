package dev.portcullis.connector.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Postgres;
import dev.portcullis.testing.UpstreamApprovals;
import dev.portcullis.testing.UpstreamGatewayConfig;
import dev.portcullis.testing.UpstreamMcpServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream MCP tool approved once, through the CLI, on a PostgreSQL store that two nodes share:
 * the approval is in the shared store, so the other node serves the tool at its next read of the
 * approvals (serve reads them every 2 s), with no restart and no step on that node.
 */
class SharedStoreUpstreamToolsTest {
  private static final String TOKEN = "weather-upstream-token-4242";

  @TempDir Path dir;

  private Path node(String name) throws Exception {
    Path data = dir.resolve(name);
    Files.createDirectories(data.resolve("secrets"));
    Files.writeString(data.resolve("secrets/weather-token"), TOKEN, StandardCharsets.UTF_8);
    return data;
  }

  @Test
  void aToolApprovedThroughOneNodesStoreIsServedByTheOtherAtItsNextRead() throws Exception {
    PostgresDatabase.Settings db = Postgres.freshDatabase();
    try (UpstreamMcpServer upstream = UpstreamMcpServer.start(TOKEN)) {
      Path config =
          UpstreamGatewayConfig.write(
              dir,
              "weather",
              """
            - name: weather
              type: mcp
              transport: http
              url: %s
              auth: {type: bearer, secret: "file:secrets/weather-token"}
              tools:
                - {name: get_weather, risk: read}
          """
                  .formatted(upstream.url()));
      Files.writeString(
          config,
          "\nstore:\n  type: postgres\n  url: " + db.url() + "\n  user: " + db.user() + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
      try (GatewayFixture a = GatewayFixture.start(node("node-a"), config, Map.of());
          GatewayFixture b = GatewayFixture.start(node("node-b"), config, Map.of())) {
        assertThat(call(b).statusCode()).as("not approved yet").isEqualTo(403);

        UpstreamApprovals.approve(a, config, "weather.get_weather");
        b.assembly().upstreamTools().reloadPins(); // what serve's 2 s poll does on node B

        HttpResponse<String> served = call(b);
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        assertThat(served.body()).contains("Oslo");
      }
    }
  }

  private static HttpResponse<String> call(GatewayFixture node) {
    return node.invoke(
        "weather.get_weather", GatewayFixture.SUPPORT_KEY, "{\"arguments\":{\"city\":\"Oslo\"}}");
  }
}
