package dev.portcullis.config;

import dev.portcullis.catalog.ArgumentLimits;
import java.net.URI;
import java.util.List;

/**
 * Where and how the gateway listens. {@code allowedHosts} guards against DNS rebinding (a request
 * whose Host header is not listed is refused); {@code allowedOrigins} lists the browser origins
 * that may call the MCP endpoint (none by default: requests with any other Origin are refused).
 * {@code publicUrl} is where people reach the gateway (behind a proxy, say), used in links sent to
 * approvers; by default {@code http://host:port} of {@code listen}.
 */
public record ServerSettings(
    String host,
    int port,
    List<String> allowedHosts,
    List<String> allowedOrigins,
    int maxRequestBytes,
    ArgumentLimits arguments,
    URI publicUrl) {

  public ServerSettings {
    allowedHosts = List.copyOf(allowedHosts);
    allowedOrigins = List.copyOf(allowedOrigins);
  }
}
