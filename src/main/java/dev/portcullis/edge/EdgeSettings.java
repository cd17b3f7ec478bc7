package dev.portcullis.edge;

import java.util.List;

/**
 * How the edges listen and whom they accept. {@code allowedHosts} are Host header names (any
 * port); {@code allowedOrigins} are full browser origins such as {@code https://app.example.com}.
 */
public record EdgeSettings(
    String host,
    int port,
    List<String> allowedHosts,
    List<String> allowedOrigins,
    int maxRequestBytes,
    String serverVersion) {

  public EdgeSettings {
    allowedHosts = List.copyOf(allowedHosts);
    allowedOrigins = List.copyOf(allowedOrigins);
  }
}
