package dev.portcullis.connector.mcp;

/**
 * How much an upstream MCP server may send: {@code maxMessageBytes} bounds every message (a tool
 * result, a page of the tool list; over HTTP the client refuses a larger one while reading it, over
 * stdio the result is refused once read), {@code maxTools} the tools one listing may hold.
 *
 * <p>Security: the upstream is not trusted; without these a huge result or a listing of 100,000
 * tools would be buffered whole. A listing over the limit is refused, and its tools are held.
 */
public record McpLimits(int maxMessageBytes, int maxTools) {
  /** 4 MiB per message, 1,000 tools per listing. */
  public static final McpLimits DEFAULT = new McpLimits(4 * 1024 * 1024, 1000);

  /**
   * At most this many pages of a tool listing are followed; a longer one is refused, not truncated.
   */
  public static final int MAX_PAGES = 100;

  public McpLimits {
    if (maxMessageBytes < 1 || maxTools < 1) {
      throw new IllegalArgumentException("MCP limits must be positive");
    }
  }
}
