package dev.portcullis.config;

import dev.portcullis.catalog.ArgumentLimits;
import java.util.List;

/**
 * Where and how the gateway listens. {@code allowedHosts} guards against DNS rebinding (a request
 * whose Host header is not listed is refused); {@code allowedOrigins} lists the browser origins
 * that may call the MCP endpoint (none by default: requests with any other Origin are refused).
 */
public record ServerSettings(
    String host,
    int port,
    List<String> allowedHosts,
    List<String> allowedOrigins,
    int maxRequestBytes,
    ArgumentLimits arguments) {

  public ServerSettings {
    allowedHosts = List.copyOf(allowedHosts);
    allowedOrigins = List.copyOf(allowedOrigins);
  }
}
