package dev.portcullis.catalog;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data in a string and replaces it with a marker. Patterns are compiled once; each
 * candidate a pattern finds must also pass its kind's check before it is replaced.
 *
 * <p>Trade-offs (docs/configuration.md lists them): a card is 13 to 19 digits, optionally grouped
 * by spaces or dashes, and is redacted only when its Luhn check passes, so most order ids and
 * amounts survive (a random digit run still passes Luhn one time in ten). An IBAN is redacted only
 * when its mod-97 check passes. A phone number needs a shape that ordinary numbers rarely have: a
 * leading {@code +} (E.164, 7 to 15 digits), a parenthesised area code, a national number that
 * starts with a trunk {@code 0} and is grouped by spaces, dashes or a slash, or the North American
 * 3-3-4 form. A bare run of digits is never taken for a phone number, and neither is an ISO date,
 * nor digits joined by a hyphen or a letter to more of a token (the groups of a UUID, a message id,
 * an order number such as {@code ORD-0100-4478}).
 */
final class PiiPatterns {
  private static final Pattern EMAIL =
      Pattern.compile(
          "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,24}");
  private static final Pattern IBAN =
      Pattern.compile(
          "(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])");
  private static final Pattern CARD =
      Pattern.compile("(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])");
  private static final Pattern PHONE =
      Pattern.compile(
          "(?<![\\w+-])(?:"
              + "\\+[0-9](?:[ .()-]{0,2}[0-9]){6,14}"
              + "|\\([0-9]{2,5}\\)[ .-]?[0-9](?:[ .-]?[0-9]){4,11}"
              + "|0[0-9]{1,4}[ /-][0-9]{2,}(?:[ -][0-9]{2,}){0,3}"
              + "|[0-9]{3}[-. ][0-9]{3}[-. ][0-9]{4}"
              + ")(?![\\w-])");

  private PiiPatterns() {}

  /** {@code text} with every checked match of {@code kind} replaced by its marker. */
  static String redact(String text, RedactionKind kind) {
    if (!mayHold(text, kind)) {
      return text;
    }
    Matcher m =
        switch (kind) {
          case EMAIL -> EMAIL.matcher(text);
          case PHONE -> PHONE.matcher(text);
          case CARD -> CARD.matcher(text);
          case IBAN -> IBAN.matcher(text);
        };
    StringBuilder out = null;
    int last = 0;
    while (m.find()) {
      if (!passes(kind, m.group())) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, last, m.start()).append(kind.marker());
      last = m.end();
    }
    if (out == null) {
      return text;
    }
    return out.append(text, last, text.length()).toString();
  }

  /**
   * False when {@code text} cannot hold a match of {@code kind} that passes its check, so the
   * pattern need not run: most values of a result (names, ids, codes, flags) are ruled out by a
   * glance at their length, their digits or an {@code @}. Each test is implied by the pattern and
   * check together: an e-mail address has an {@code @}, a phone number 7 to 15 digits, a card 13 to
   * 19, and an IBAN at least 15 characters.
   */
  static boolean mayHold(String text, RedactionKind kind) {
    return switch (kind) {
      case EMAIL -> text.indexOf('@') >= 0;
      case PHONE -> digitsAtLeast(text, 7);
      case CARD -> digitsAtLeast(text, 13);
      case IBAN -> text.length() >= 15 && digitsAtLeast(text, 2);
    };
  }

  private static boolean digitsAtLeast(String text, int wanted) {
    int seen = 0;
    for (int i = 0; i < text.length() && seen < wanted; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        seen++;
      }
    }
    return seen >= wanted;
  }

  private static boolean passes(RedactionKind kind, String match) {
    return switch (kind) {
      case EMAIL -> true;
      case PHONE -> {
        long digits = match.chars().filter(c -> c >= '0' && c <= '9').count();
        yield digits >= 7 && digits <= 15;
      }
      case CARD -> luhn(match);
      case IBAN -> mod97(match);
    };
  }

  static boolean luhn(String text) {
    int sum = 0;
    boolean twice = false;
    for (int i = text.length() - 1; i >= 0; i--) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      twice = !twice;
    }
    return sum % 10 == 0;
  }

  static boolean mod97(String text) {
    String iban = text.replace(" ", "");
    if (iban.length() < 15 || iban.length() > 34) {
      return false;
    }
    String moved = iban.substring(4) + iban.substring(0, 4);
    int rest = 0;
    for (int i = 0; i < moved.length(); i++) {
      char c = moved.charAt(i);
      int v = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
      rest = v > 9 ? (rest * 100 + v) % 97 : (rest * 10 + v) % 97;
    }
    return rest == 1;
  }
}
