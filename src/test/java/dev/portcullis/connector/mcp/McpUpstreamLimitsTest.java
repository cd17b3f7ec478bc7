package dev.portcullis.connector.mcp;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.portcullis.testing.Invocations;
import dev.portcullis.vault.SecretSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile upstream over stdio (src/test/resources/mcp-endless, plain node, no SDK) whose tool
 * list never ends: the listing is refused at its page or tool limit instead of being followed
 * forever. Needs node on PATH (skipped without it, unless CI is set).
 */
class McpUpstreamLimitsTest {
  @TempDir Path data;

  private McpUpstream endless(McpLimits limits) {
    if (System.getenv("CI") == null && !onPath("node")) {
      Assumptions.abort("node is not on PATH");
    }
    Path script = Path.of("src/test/resources/mcp-endless/server.mjs").toAbsolutePath();
    return new McpUpstream(
        "endless",
        new McpTransportSpec.Stdio(
            List.of("node", script.toString()), Optional.empty(), Map.of(), Map.of()),
        new SecretSources(Map.of(), data),
        Duration.ofSeconds(10),
        Invocations.JSON,
        "test",
        limits);
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    return path != null
        && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
            .anyMatch(d -> java.nio.file.Files.isExecutable(Path.of(d, program)));
  }

  @Test
  void aToolListThatNeverEndsIsRefusedAtThePageLimit() {
    try (McpUpstream upstream = endless(McpLimits.DEFAULT)) {
      assertTimeoutPreemptively(
          Duration.ofSeconds(60),
          () ->
              assertThatThrownBy(upstream::listTools)
                  .isInstanceOf(UpstreamException.Refused.class)
                  .hasMessage(
                      "upstream endless lists its tools on more than 100 pages; the listing is refused"));
    }
  }

  @Test
  void aToolListOverMaxToolsIsRefusedAsSoonAsAPageCrossesIt() {
    try (McpUpstream upstream = endless(new McpLimits(McpLimits.DEFAULT.maxMessageBytes(), 10))) {
      assertTimeoutPreemptively(
          Duration.ofSeconds(60),
          () ->
              assertThatThrownBy(upstream::listTools)
                  .isInstanceOf(UpstreamException.Refused.class)
                  .hasMessage(
                      "upstream endless lists more than 10 tools (maxTools); the listing is refused"));
    }
  }
}
