package dev.portcullis.catalog;

import java.util.Locale;

/**
 * A kind of personal data the filter stage can find in string values and redact. The declaration
 * order is the order of application: the most specific patterns first, so a phone pattern never
 * takes the digit groups of an IBAN or a card number.
 */
public enum RedactionKind {
  EMAIL,
  IBAN,
  CARD,
  PHONE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The text that replaces each match, such as {@code [redacted:email]}. */
  public String marker() {
    return "[redacted:" + wireName() + "]";
  }
}
