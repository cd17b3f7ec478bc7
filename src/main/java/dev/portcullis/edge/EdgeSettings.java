package dev.portcullis.edge;

import java.time.Duration;
import java.util.List;

/**
 * How the edges listen and whom they accept. {@code allowedHosts} are Host header names (any port);
 * {@code allowedOrigins} are full browser origins such as {@code https://app.example.com}. {@code
 * mcpWait} is how long an MCP call parked for approval stays open for the decision ({@code
 * approvals.mcpWait}; zero answers "pending" at once), and the most {@code portcullis_outcome}
 * waits. {@code sessions} bounds the MCP sessions held ({@code server.mcpSessions}).
 */
public record EdgeSettings(
    String host,
    int port,
    List<String> allowedHosts,
    List<String> allowedOrigins,
    int maxRequestBytes,
    String serverVersion,
    Duration mcpWait,
    McpSessions.Limits sessions) {

  public EdgeSettings {
    if (mcpWait.isNegative()) {
      throw new IllegalArgumentException("mcpWait must not be negative");
    }
    java.util.Objects.requireNonNull(sessions, "sessions");
    allowedHosts = List.copyOf(allowedHosts);
    allowedOrigins = List.copyOf(allowedOrigins);
  }
}
