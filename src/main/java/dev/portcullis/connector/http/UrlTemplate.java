package dev.portcullis.connector.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A path such as {@code /customers/{customerId}/orders}, split at load into literal parts and
 * variables. Each variable's value is percent-encoded as one path segment, so an argument such as
 * {@code "../admin"} or {@code "a/b"} can never change which resource is addressed.
 *
 * <p>Security: a segment holding a variable may not render empty ({@code /customers/} names the
 * collection, not a customer) or as a dot segment, counting {@code %2E} as the dot servers decode it
 * to ({@code /v1/{a}{b}} with {@code "."} and {@code "."} is {@code %2E%2E}): {@link #expand}
 * refuses such values with {@link RefusedValue}.
 */
public final class UrlTemplate {
  private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final String source;
  private final List<String> literals;
  private final List<String> variables;
  /** For each path segment of the template, the variables it holds (empty for a literal segment). */
  private final List<List<String>> segmentVariables;

  private UrlTemplate(String source, List<String> literals, List<String> variables) {
    this.source = source;
    this.literals = List.copyOf(literals);
    this.variables = List.copyOf(variables);
    List<List<String>> segments = new ArrayList<>();
    for (String segment : source.split("/", -1)) {
      List<String> held = new ArrayList<>();
      Matcher m = VARIABLE.matcher(segment);
      while (m.find()) {
        held.add(m.group(1));
      }
      segments.add(List.copyOf(held));
    }
    this.segmentVariables = List.copyOf(segments);
  }

  /** A value that would make a path segment empty or a dot segment: the request must not be sent. */
  public static final class RefusedValue extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    RefusedValue(String message) {
      super(message);
    }
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

  /**
   * Expands the template; {@code values} returns the raw value of a variable.
   *
   * @throws RefusedValue when the values would make a segment empty or a dot segment
   */
  public String expand(Function<String, String> values) {
    StringBuilder out = new StringBuilder(64);
    for (int i = 0; i < variables.size(); i++) {
      out.append(literals.get(i));
      String value = values.apply(variables.get(i));
      out.append(encodeSegment(value));
    }
    out.append(literals.getLast());
    String path = out.toString();
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      List<String> held = segmentVariables.get(i);
      if (held.isEmpty()) {
        continue;
      }
      String decodedDots = segments[i].replace("%2E", ".").replace("%2e", ".");
      if (decodedDots.isEmpty() || decodedDots.equals(".") || decodedDots.equals("..")) {
        throw new RefusedValue("refused: " + (held.size() == 1 ? "argument '" + held.getFirst() + "'"
            : "arguments " + held.stream().map(v -> "'" + v + "'").toList())
            + (decodedDots.isEmpty() ? " would leave its path segment empty" : " would make a '.' or '..' path segment"));
      }
    }
    return path;
  }

  private static String encodeSegment(String value) {
    String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    // URLEncoder leaves '.' alone; a segment of only dots would still walk the path.
    return encoded.equals(".") || encoded.equals("..") ? encoded.replace(".", "%2E") : encoded;
  }
}
