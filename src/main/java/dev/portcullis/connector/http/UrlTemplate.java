package dev.portcullis.connector.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A path such as {@code /customers/{customerId}/orders}, split at load into literal parts and
 * variables. Each variable's value is percent-encoded as one path segment, so an argument such as
 * {@code "../admin"} or {@code "a/b"} can never change which resource is addressed.
 */
public final class UrlTemplate {
  private final String source;
  private final List<String> literals;
  private final List<String> variables;

  private UrlTemplate(String source, List<String> literals, List<String> variables) {
    this.source = source;
    this.literals = List.copyOf(literals);
    this.variables = List.copyOf(variables);
  }

  public static UrlTemplate parse(String template) {
    List<String> literals = new ArrayList<>();
    List<String> variables = new ArrayList<>();
    int at = 0;
    while (true) {
      int open = template.indexOf('{', at);
      if (open < 0) {
        literals.add(template.substring(at));
        break;
      }
      int close = template.indexOf('}', open);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed '{' in path '" + template + "'");
      }
      String name = template.substring(open + 1, close);
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("bad variable '{" + name + "}' in path '" + template + "'");
      }
      literals.add(template.substring(at, open));
      variables.add(name);
      at = close + 1;
    }
    return new UrlTemplate(template, literals, variables);
  }

  /** The template as written. */
  public String source() {
    return source;
  }

  public Set<String> variables() {
    return Set.copyOf(variables);
  }

  /** Expands the template; {@code values} returns the raw value of a variable. */
  public String expand(Function<String, String> values) {
    StringBuilder out = new StringBuilder(64);
    for (int i = 0; i < variables.size(); i++) {
      out.append(literals.get(i));
      String value = values.apply(variables.get(i));
      out.append(encodeSegment(value));
    }
    out.append(literals.getLast());
    return out.toString();
  }

  private static String encodeSegment(String value) {
    String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    // URLEncoder leaves '.' alone; a segment of only dots would still walk the path.
    return encoded.equals(".") || encoded.equals("..") ? encoded.replace(".", "%2E") : encoded;
  }
}
