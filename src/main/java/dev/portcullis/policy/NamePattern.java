package dev.portcullis.policy;

import java.util.regex.Pattern;

/**
 * A name or a glob over names (tools, agents): {@code *} matches any run of characters, everything
 * else is literal ({@code crm.*} matches {@code crm.get_customer}). Compiled once at load.
 */
public final class NamePattern {
  private final String source;
  private final Pattern pattern;

  private NamePattern(String source, Pattern pattern) {
    this.source = source;
    this.pattern = pattern;
  }

  public static NamePattern compile(String glob) {
    if (glob.isBlank()) {
      throw new IllegalArgumentException("a tool pattern cannot be empty");
    }
    StringBuilder regex = new StringBuilder();
    for (String part : glob.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return new NamePattern(glob, Pattern.compile(regex.toString()));
  }

  public boolean matches(String toolName) {
    return pattern.matcher(toolName).matches();
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
