package dev.portcullis.edge;

/**
 * What a tool name can be, checked at the edges before a call is built: a name no tool can have is
 * refused as unknown there, so an agent cannot make the gateway store (and audit) a name of its
 * choosing at any length. Configured tools have at most 64 characters, upstream MCP tools {@code
 * connector.tool} at most 129; the bound leaves room and is what the MCP specification suggests
 * clients expect (1 to 128, plus the connector's prefix).
 */
final class ToolNames {
  /** The longest name that reaches the pipeline. */
  static final int MAX_LENGTH = 256;

  private ToolNames() {}

  /**
   * Whether {@code name} could be a tool's: 1 to {@value #MAX_LENGTH} characters, no control
   * characters.
   */
  static boolean plausible(String name) {
    return !name.isEmpty()
        && name.length() <= MAX_LENGTH
        && name.chars().noneMatch(Character::isISOControl);
  }

  /** {@code name} shortened for a message: at most 64 characters, control characters replaced. */
  static String excerpt(String name) {
    String shown =
        name.length() <= 64 ? name : name.substring(0, 64) + "… (" + name.length() + " characters)";
    return shown.replaceAll("\\p{Cntrl}", "?");
  }
}
