package dev.portcullis.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code ${NAME}} and {@code ${NAME:-default}} from the environment before the YAML is read,
 * as docker compose does, so one file serves several machines. A doubled dollar sign before a brace
 * writes a literal dollar sign and brace. Secrets do not belong here: reference them as {@code
 * env:NAME} so they are read at call time and never land in the loaded configuration.
 */
final class Interpolation {
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}\\n]*))?}");

  private Interpolation() {}

  static String apply(
      String text, Map<String, String> env, List<ConfigException.Problem> problems) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      String replacement;
      if (m.group().equals("$${")) {
        replacement = "${";
      } else {
        String value = env.get(m.group(1));
        if (value == null || value.isEmpty()) {
          value = m.group(2);
        }
        if (value == null) {
          int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
          problems.add(
              new ConfigException.Problem(
                  line,
                  "",
                  "${"
                      + m.group(1)
                      + "} is not set in the environment and has no default (${"
                      + m.group(1)
                      + ":-value})"));
          value = "";
        }
        if (value.contains("\n")) {
          value = value.replace("\n", " ");
        }
        replacement = value;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
