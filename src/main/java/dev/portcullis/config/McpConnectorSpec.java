package dev.portcullis.config;

import dev.portcullis.catalog.UpstreamToolSpec;
import dev.portcullis.connector.mcp.McpLimits;
import dev.portcullis.connector.mcp.McpTransportSpec;
import java.time.Duration;
import java.util.List;

/**
 * An upstream MCP server as configured: how to reach it, and which of its tools may join the
 * catalog (as {@code name.tool}) with the risk class the operator gives each. Their descriptors
 * come from the upstream and are pinned by approval, not by this file.
 */
public record McpConnectorSpec(
    String name,
    McpTransportSpec transport,
    Duration timeout,
    Duration refresh,
    McpLimits limits,
    List<UpstreamToolSpec> tools)
    implements ConnectorSpec {
  public McpConnectorSpec {
    tools = List.copyOf(tools);
  }
}
