package dev.portcullis.testing;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.time.Duration;

/** Real MCP clients (the Java SDK over streamable HTTP) for a gateway's {@code /mcp}. */
public final class McpClients {
  private McpClients() {}

  /**
   * A client of {@code /mcp} at {@code base}, sending {@code key} as its bearer credential; not yet
   * initialized.
   */
  public static McpSyncClient of(URI base, String key, String clientName) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(base.toString())
            .endpoint("/mcp")
            .addHttpRequestCustomizer(
                (request, method, uri, body, context) ->
                    request.header("Authorization", "Bearer " + key))
            .build();
    return McpClient.sync(transport)
        .requestTimeout(Duration.ofSeconds(20))
        .clientInfo(McpSchema.Implementation.builder(clientName, "0").build())
        .build();
  }
}
