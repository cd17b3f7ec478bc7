package dev.portcullis.approval;

import java.util.Locale;

/** Where an approval request stands: pending until a person decides or its deadline passes. */
public enum ApprovalStatus {
  PENDING,
  APPROVED,
  DENIED,
  EXPIRED;

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
