package dev.portcullis.bench;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The upstream MCP server of the MCP benchmark: built like the tests' {@code UpstreamMcpServer}
 * (the MCP Java SDK's sync server, streamable HTTP, Jetty, its own bearer token) with one read
 * tool, {@code get_weather}, whose handler only builds its answer. Unlike the test server it
 * records nothing per request, so the baseline measures the server, not a growing list.
 */
final class BenchUpstream implements AutoCloseable {
  static final String TOOL = "get_weather";

  private final Server jetty;
  private final McpSyncServer mcp;

  private BenchUpstream(String token) throws Exception {
    HttpServletStreamableServerTransportProvider transport =
        HttpServletStreamableServerTransportProvider.builder().mcpEndpoint("/mcp").build();
    mcp =
        McpServer.sync(transport)
            .serverInfo("weather-upstream", "1.0.0")
            .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
            .build();
    McpSchema.Tool tool =
        McpSchema.Tool.builder(
                TOOL,
                Map.of(
                    "type",
                    "object",
                    "properties",
                    Map.of("city", Map.of("type", "string", "maxLength", 40)),
                    "required",
                    List.of("city")))
            .description("Current weather for a city.")
            .build();
    mcp.addTool(
        McpServerFeatures.SyncToolSpecification.builder()
            .tool(tool)
            .callHandler(
                (exchange, req) ->
                    McpSchema.CallToolResult.builder()
                        .structuredContent(
                            Map.of(
                                "city", req.arguments().get("city"), "tempC", 21, "sky", "clear"))
                        .addTextContent("21 °C and clear")
                        .build())
            .build());

    jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(transport), "/mcp/*");
    context.addFilter(
        new FilterHolder(bearer("Bearer " + token)), "/*", EnumSet.of(DispatcherType.REQUEST));
    jetty.setHandler(context);
    jetty.start();
  }

  /**
   * Starts the server on a free loopback port; it accepts only {@code Authorization: Bearer
   * <token>}.
   */
  static BenchUpstream start(String token) {
    try {
      return new BenchUpstream(token);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the upstream MCP server: " + e.getMessage(), e);
    }
  }

  URI url() {
    int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    return URI.create("http://127.0.0.1:" + port + "/mcp");
  }

  private static Filter bearer(String expected) {
    return (request, response, chain) -> {
      if (!expected.equals(((HttpServletRequest) request).getHeader("Authorization"))) {
        ((HttpServletResponse) response).sendError(401);
        return;
      }
      chain.doFilter(request, response);
    };
  }

  @Override
  public void close() {
    try {
      mcp.closeGracefully();
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
