package dev.portcullis.connector.mcp;

/** An upstream MCP server could not be reached, or failed; its message never holds a secret. */
public class UpstreamException extends Exception {
  private static final long serialVersionUID = 1L;

  public UpstreamException(String message) {
    super(message);
  }

  public UpstreamException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The upstream did not answer in time. */
  public static final class Timeout extends UpstreamException {
    private static final long serialVersionUID = 1L;

    public Timeout(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The credential for the upstream could not be resolved. */
  public static final class Credential extends UpstreamException {
    private static final long serialVersionUID = 1L;

    public Credential(String message) {
      super(message);
    }
  }

  /**
   * The upstream sent more than its {@link McpLimits} allow, or a listing that cannot be trusted.
   */
  public static final class Refused extends UpstreamException {
    private static final long serialVersionUID = 1L;

    public Refused(String message) {
      super(message);
    }
  }
}
