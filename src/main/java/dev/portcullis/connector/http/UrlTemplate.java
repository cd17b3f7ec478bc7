package dev.portcullis.connector.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A path such as {@code /customers/{customerId}/orders}, split at load into literal parts and
 * variables. Each variable's value is percent-encoded as one path segment.
 *
 * <p>Security: encoding alone does not keep a value inside its segment, because servers and the
 * proxies in front of them decode before they route ({@code %2F} to {@code /} with Tomcat's
 * ALLOW_ENCODED_SLASH or an nginx {@code proxy_pass}, {@code %2E%2E} to {@code ..} when
 * normalising, {@code %252F} twice). So a value is refused ({@link #segmentProblem}) when it is
 * empty (which would address the collection, {@code /customers/}), a dot segment, or contains
 * {@code /}, {@code \}, {@code %} or a control character; what is left is encoded.
 */
public final class UrlTemplate {
  private static final Pattern UNSAFE = Pattern.compile("[/\\\\%\\p{Cntrl}]");
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
        throw new IllegalArgumentException(
            "bad variable '{" + name + "}' in path '" + template + "'");
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

  /**
   * Why {@code value} cannot be one path segment, or empty when it can: see the class comment.
   * Callers check every value before {@link #expand}.
   */
  public static Optional<String> segmentProblem(String value) {
    if (value.isEmpty()) {
      return Optional.of("is empty");
    }
    if (value.equals(".") || value.equals("..")) {
      return Optional.of("is a dot segment ('" + value + "')");
    }
    if (UNSAFE.matcher(value).find()) {
      return Optional.of(
          "contains '/', '\\', '%' or a control character, which a server may decode into another path");
    }
    return Optional.empty();
  }

  private static String encodeSegment(String value) {
    String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    // URLEncoder leaves '.' alone; a segment of only dots would still walk the path.
    return encoded.equals(".") || encoded.equals("..") ? encoded.replace(".", "%2E") : encoded;
  }
}
