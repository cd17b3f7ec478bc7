package dev.portcullis.connector;

/**
 * Cuts an upstream's message short for a failure's detail without splitting a value: the cut never
 * ends inside a word or a run of digits, so no fragment of an e-mail address, card number or token
 * survives that the result filter (which finds whole values only) could no longer recognise.
 */
public final class Excerpt {
  private Excerpt() {}

  /**
   * {@code text} whole when it has at most {@code max} characters; else its start, cut as above,
   * then {@code …}.
   */
  public static String of(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = max;
    // back to the last whitespace, then past any digit groups before it (a card's "4111 1111 11")
    while (end > 0 && !Character.isWhitespace(text.charAt(end))) {
      end--;
    }
    while (end > 0 && isPartOfNumber(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end).stripTrailing() + "…";
  }

  private static boolean isPartOfNumber(char c) {
    return Character.isDigit(c) || c == ' ' || c == '-' || c == '.';
  }
}
