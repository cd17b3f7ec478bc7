package dev.portcullis.invocation;

import java.util.Locale;

/**
 * When an executed call's ending must be durable: before the agent gets its answer ({@link
 * #STRICT}, the default), or in the next group commit after it ({@link #INTENT}). Either way the
 * decision that allowed the effect is durable before the effect (invariant 3). With {@code intent}
 * a crash between the answer and the ending leaves the call EXECUTING, which recovery moves to
 * NEEDS_RECONCILIATION for an operator: flagged, never silently lost; the agent may have been told
 * of an outcome the log does not yet hold.
 */
public enum Durability {
  STRICT,
  INTENT;

  /** The name in configuration: {@code strict} or {@code intent}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The durability named {@code name}, or null when none is. */
  public static Durability parse(String name) {
    for (Durability d : values()) {
      if (d.wireName().equals(name)) {
        return d;
      }
    }
    return null;
  }
}
