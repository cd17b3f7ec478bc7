package dev.portcullis.approval;

import java.util.Locale;

/**
 * Where an approval request stands: pending until a person decides, its deadline passes, or the
 * agent that made the call withdraws it (cancelled).
 */
public enum ApprovalStatus {
  PENDING,
  APPROVED,
  DENIED,
  EXPIRED,
  /** The agent that made the call cancelled it before anyone decided (an MCP task's cancel). */
  CANCELLED;

  /** The wire name: {@code pending}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status named {@code wire} ({@code pending}), or null when there is none. */
  public static ApprovalStatus parse(String wire) {
    for (ApprovalStatus s : values()) {
      if (s.wireName().equals(wire)) {
        return s;
      }
    }
    return null;
  }
}
