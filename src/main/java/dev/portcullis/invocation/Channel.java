package dev.portcullis.invocation;

import java.util.Locale;

/**
 * The door a call came in by, as the gateway itself knows it: the fact {@code context.channel} a
 * policy can trust. What an agent says of its own channel ({@code actor.channel} over REST) is
 * another fact, {@code context.declaredChannel}, recorded as said, and may not take one of these
 * names.
 */
public enum Channel {
  /** {@code POST /v1/tools/{tool}:invoke}. */
  REST,
  /** {@code tools/call} on {@code /mcp}. */
  MCP,
  /** A compensation an operator started with {@code invocations revert}. */
  REVERT;

  /** The name on the invocation, in audit records and in policy facts. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether {@code name} is one of the gateway's own channel names, in any case. */
  public static boolean isReserved(String name) {
    for (Channel c : values()) {
      if (c.wireName().equalsIgnoreCase(name.strip())) {
        return true;
      }
    }
    return false;
  }
}
