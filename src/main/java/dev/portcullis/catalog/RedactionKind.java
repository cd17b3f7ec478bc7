package dev.portcullis.catalog;

import java.util.Locale;

/** A kind of personal data the filter stage can find in string values and redact. */
public enum RedactionKind {
  EMAIL,
  PHONE,
  CARD,
  IBAN;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The text that replaces each match, such as {@code [redacted:email]}. */
  public String marker() {
    return "[redacted:" + wireName() + "]";
  }
}
