package dev.portcullis.policy;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A name or a glob over names (tools, agents): {@code *} matches any run of characters, everything
 * else is literal ({@code crm.*} matches {@code crm.get_customer}). Compiled once at load.
 *
 * <p>The meaning is the regular expression the glob compiles to ({@code *} as {@code .*}, the rest
 * quoted). Agent patterns are matched on every call, so {@link #matches} does it without a regex: a
 * literal is one {@code equals}, a glob checks its literal parts in order (first as a prefix, last
 * as a suffix, the middle ones leftmost-first, which finds a match whenever one exists). The regex
 * only matches what that check matches; a name that passes it and holds a line terminator, which
 * {@code .} does not match, is decided by the regex.
 */
public final class NamePattern {
  private final String source;
  private final Pattern pattern;

  /** The literal parts between the {@code *}s: one part for a plain name. */
  private final List<String> parts;

  private NamePattern(String source, Pattern pattern, List<String> parts) {
    this.source = source;
    this.pattern = pattern;
    this.parts = parts;
  }

  public static NamePattern compile(String glob) {
    if (glob.isBlank()) {
      throw new IllegalArgumentException("a tool pattern cannot be empty");
    }
    List<String> parts = List.of(glob.split("\\*", -1));
    StringBuilder regex = new StringBuilder();
    for (String part : parts) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return new NamePattern(glob, Pattern.compile(regex.toString()), parts);
  }

  public boolean matches(String toolName) {
    if (parts.size() == 1) {
      return source.equals(toolName);
    }
    String first = parts.getFirst();
    String last = parts.getLast();
    if (toolName.length() < first.length() + last.length()
        || !toolName.startsWith(first)
        || !toolName.endsWith(last)) {
      return false;
    }
    int from = first.length();
    int end = toolName.length() - last.length();
    for (int i = 1; i < parts.size() - 1; i++) {
      String part = parts.get(i);
      int at = toolName.indexOf(part, from);
      if (at < 0 || at + part.length() > end) {
        return false;
      }
      from = at + part.length();
    }
    return !hasLineTerminator(toolName) || pattern.matcher(toolName).matches();
  }

  /** The characters {@code .} does not match in a regex without DOTALL. */
  private static boolean hasLineTerminator(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        return true;
      }
    }
    return false;
  }

  public boolean isGlob() {
    return source.contains("*");
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }
}
