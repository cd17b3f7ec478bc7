package dev.portcullis.vault;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Finds and replaces every copy of one or more secret values in a text: the value itself in any
 * letter case, with any of its characters written as a JSON escape (a unicode escape of four hex
 * digits, or an escaped slash) or percent-encoded ({@code %5A}, {@code +} for a space), and its
 * base64 encodings (standard and URL-safe, padded or not, and inside a longer encoded value such as
 * HTTP Basic's {@code user:secret}).
 *
 * <p>Security: this is the credential echo guard; an upstream is assumed hostile and free to send
 * back what it received in any of these forms. A base64 copy is found by the part of it that only
 * the secret's bytes determine, at each of the three alignments it can have in a longer value; the
 * one or two characters at its edges, which mix in bits of their neighbours, are left (they carry
 * at most a few bits). Base64 is matched exactly (changing the case of base64 changes what it
 * says); a fragment under {@link #MIN_BASE64} characters (a secret of five bytes or fewer) is not
 * looked for, as it would match ordinary text.
 *
 * <p>Performance: built per resolved secret (a few base64 encodings); {@link #mask} is one pass
 * over the text per value and encoding, checking the first character before anything else.
 */
final class SecretMask {
  static final String MARKER = "[REDACTED]";
  private static final int MIN_BASE64 = 8;

  /** A value to find, and whether its letters match in any case. */
  private record Needle(String text, boolean anyCase) {}

  private final List<Needle> needles;

  SecretMask(List<String> values) {
    List<Needle> out = new ArrayList<>();
    for (String value : values) {
      if (value.isEmpty()) {
        continue;
      }
      out.add(new Needle(value, true));
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      for (int align = 0; align < 3; align++) {
        for (Base64.Encoder encoder : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
          String fragment = stableFragment(encoder, bytes, align);
          if (fragment.length() >= MIN_BASE64
              && out.stream().noneMatch(n -> n.text().equals(fragment))) {
            out.add(new Needle(fragment, false));
          }
        }
      }
    }
    this.needles = List.copyOf(out);
  }

  /**
   * The characters of the base64 encoding of {@code bytes}, placed after {@code align} other bytes,
   * that depend on {@code bytes} alone.
   */
  private static String stableFragment(Base64.Encoder encoder, byte[] bytes, int align) {
    byte[] shifted = new byte[align + bytes.length];
    System.arraycopy(bytes, 0, shifted, align, bytes.length);
    String encoded = encoder.withoutPadding().encodeToString(shifted);
    int from = (align * 8 + 5) / 6;
    int to = (shifted.length * 8) / 6;
    return from < to ? encoded.substring(from, to) : "";
  }

  /** {@code text} with every copy replaced by {@link #MARKER}. */
  String mask(String text) {
    String out = text;
    for (Needle n : needles) {
      out = replace(out, n);
    }
    return out;
  }

  private static String replace(String text, Needle needle) {
    StringBuilder out = null;
    int last = 0;
    int i = 0;
    while (i < text.length()) {
      int end = matchAt(text, i, needle);
      if (end < 0) {
        i++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, last, i).append(MARKER);
      last = end;
      i = end;
    }
    return out == null ? text : out.append(text, last, text.length()).toString();
  }

  /** Where a copy of {@code needle} starting at {@code at} ends, or -1 when none starts there. */
  private static int matchAt(String text, int at, Needle needle) {
    int p = at;
    String want = needle.text();
    for (int j = 0; j < want.length(); j++) {
      char c = want.charAt(j);
      if (p >= text.length()) {
        return -1;
      }
      char t = text.charAt(p);
      if (same(t, c, needle.anyCase())) {
        p++;
      } else if (t == '\\') {
        p = jsonEscape(text, p, c, needle.anyCase());
      } else if (t == '%') {
        p = percentEncoded(text, p, c, needle.anyCase());
      } else if (t == '+' && c == ' ') {
        p++;
      } else {
        return -1;
      }
      if (p < 0) {
        return -1;
      }
    }
    return p;
  }

  private static boolean same(char a, char b, boolean anyCase) {
    return a == b
        || (anyCase
            && (Character.toLowerCase(a) == Character.toLowerCase(b)
                || Character.toUpperCase(a) == Character.toUpperCase(b)));
  }

  /**
   * After a JSON escape at {@code p} that stands for {@code c}, or -1. A run of backslashes before
   * a unicode escape or a slash counts as one: JSON text quoted again inside a JSON string (an
   * upstream's error that wraps another's) escapes each backslash once more.
   */
  private static int jsonEscape(String text, int p, char c, boolean anyCase) {
    int q = p;
    while (q + 1 < text.length() && text.charAt(q + 1) == '\\') {
      q++;
    }
    if (q > p
        && q + 1 < text.length()
        && (text.charAt(q + 1) == 'u' || text.charAt(q + 1) == '/')) {
      p = q;
    }
    if (p + 1 >= text.length()) {
      return -1;
    }
    char e = text.charAt(p + 1);
    if (e == 'u') {
      int code = hex(text, p + 2, 4);
      return code >= 0 && same((char) code, c, anyCase) ? p + 6 : -1;
    }
    char meant =
        switch (e) {
          case '/' -> '/';
          case '\\' -> '\\';
          case '"' -> '"';
          case 'n' -> '\n';
          case 't' -> '\t';
          case 'r' -> '\r';
          case 'b' -> '\b';
          case 'f' -> '\f';
          default -> 0;
        };
    return meant != 0 && meant == c ? p + 2 : -1;
  }

  /** After the percent-encoded UTF-8 bytes of {@code c} at {@code p}, or -1. */
  private static int percentEncoded(String text, int p, char c, boolean anyCase) {
    if (c < 0x80) {
      int b = hex(text, p + 1, 2);
      return b >= 0 && same((char) b, c, anyCase) ? p + 3 : -1;
    }
    for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
      if (p >= text.length() || text.charAt(p) != '%' || hex(text, p + 1, 2) != (b & 0xff)) {
        return -1;
      }
      p += 3;
    }
    return p;
  }

  private static int hex(String text, int from, int digits) {
    if (from + digits > text.length()) {
      return -1;
    }
    int v = 0;
    for (int i = from; i < from + digits; i++) {
      int d = Character.digit(text.charAt(i), 16);
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }
}
