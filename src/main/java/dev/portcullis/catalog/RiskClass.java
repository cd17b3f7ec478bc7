package dev.portcullis.catalog;

import java.util.Locale;

/** How much harm a tool can do; limits and approvals key on it. */
public enum RiskClass {
  READ,
  WORKFLOW,
  WRITE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
