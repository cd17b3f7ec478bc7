package dev.portcullis.config;

import dev.portcullis.catalog.ArgumentLimits;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where and how the gateway listens. {@code allowedHosts} guards against DNS rebinding (a request
 * whose Host header is not listed is refused); {@code allowedOrigins} lists the browser origins
 * that may call the MCP endpoint (none by default: requests with any other Origin are refused).
 * {@code publicUrl} is where people reach the gateway (behind a proxy, say), used in links sent to
 * approvers; by default {@code http://host:port} of {@code listen}. {@code mcpSessions} bounds the
 * MCP sessions held: in all, per agent (so one agent cannot lock the others out), and how long an
 * unused one lives.
 */
public record ServerSettings(
    String host,
    int port,
    List<String> allowedHosts,
    List<String> allowedOrigins,
    int maxRequestBytes,
    ArgumentLimits arguments,
    URI publicUrl,
    McpSessionLimits mcpSessions) {

  public ServerSettings {
    allowedHosts = List.copyOf(allowedHosts);
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  /**
   * {@code server.mcpSessions}: at most {@code max} sessions, {@code perAgent} of one agent, each
   * living {@code idleTimeout} unused.
   */
  public record McpSessionLimits(int max, int perAgent, Duration idleTimeout) {
    public static final McpSessionLimits DEFAULT =
        new McpSessionLimits(10_000, 1_000, Duration.ofHours(1));
  }
}
