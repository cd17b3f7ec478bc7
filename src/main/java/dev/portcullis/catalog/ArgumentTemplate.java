package dev.portcullis.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The arguments of a declared call (a before-state read, a compensation), written in configuration
 * with placeholders that name values of the call they belong to: {@code "{args.orderId}"}, {@code
 * "{before.status}"}, {@code "{result.refundId}"}. A string that is exactly one placeholder becomes
 * that value with its JSON type; a placeholder inside other text is replaced by the value's text.
 * Everything else is itself.
 *
 * <p>Security: values are only ever data: inserted as JSON values, never read again as template
 * syntax. A placeholder whose value is missing (or null) fails the rendering; nothing is guessed.
 */
public final class ArgumentTemplate {
  /** {@code {scope.path.to.value}}; a path segment is letters, digits, '_' or '-'. */
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{([A-Za-z]+)((?:\\.[A-Za-z0-9_-]+)+)\\}");

  private static final Pattern DOT = Pattern.compile("\\.");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * One placeholder: its scope ({@code args}), its path ({@code [orderId]}) and where it is
   * written.
   */
  public record Placeholder(String scope, List<String> path, String pointer) {
    public Placeholder {
      path = List.copyOf(path);
    }

    /** As written: {@code args.orderId}. */
    public String text() {
      return scope + "." + String.join(".", path);
    }
  }

  /** A placeholder the values given to {@link #render} do not fill. */
  public static final class MissingValueException extends Exception {
    private static final long serialVersionUID = 1L;

    MissingValueException(String message) {
      super(message);
    }
  }

  private final JsonNode source;
  private final List<Placeholder> placeholders;

  private ArgumentTemplate(JsonNode source, List<Placeholder> placeholders) {
    this.source = source.deepCopy();
    this.placeholders = List.copyOf(placeholders);
  }

  /** Reads {@code source} (a JSON object), finding every placeholder in it. */
  public static ArgumentTemplate of(JsonNode source) {
    if (!source.isObject()) {
      throw new IllegalArgumentException("arguments must be a mapping of argument names to values");
    }
    List<Placeholder> found = new ArrayList<>();
    collect(source, "", found);
    return new ArgumentTemplate(source, found);
  }

  public JsonNode source() {
    return source.deepCopy();
  }

  /** Every placeholder, in the order written. */
  public List<Placeholder> placeholders() {
    return placeholders;
  }

  /** The scopes the placeholders use. */
  public Set<String> scopes() {
    Set<String> out = new LinkedHashSet<>();
    placeholders.forEach(p -> out.add(p.scope()));
    return out;
  }

  /**
   * The arguments with every placeholder filled from {@code scopes} (scope name to its JSON value).
   *
   * @throws MissingValueException naming the first placeholder without a value
   */
  public ObjectNode render(Map<String, JsonNode> scopes) throws MissingValueException {
    return (ObjectNode) render(source, scopes);
  }

  private static JsonNode render(JsonNode node, Map<String, JsonNode> scopes)
      throws MissingValueException {
    if (node.isObject()) {
      ObjectNode out = NODES.objectNode();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        out.set(e.getKey(), render(e.getValue(), scopes));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode();
      for (JsonNode item : node) {
        out.add(render(item, scopes));
      }
      return out;
    }
    if (!node.isString()) {
      return node.deepCopy();
    }
    String text = node.asString();
    Matcher m = PLACEHOLDER.matcher(text);
    if (m.matches()) {
      return value(m, scopes).deepCopy();
    }
    m.reset();
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      JsonNode v = value(m, scopes);
      m.appendReplacement(
          out, Matcher.quoteReplacement(v.isValueNode() ? v.asString() : v.toString()));
    }
    m.appendTail(out);
    return NODES.stringNode(out.toString());
  }

  private static JsonNode value(Matcher m, Map<String, JsonNode> scopes)
      throws MissingValueException {
    String scope = m.group(1);
    JsonNode v = scopes.get(scope);
    for (String segment : DOT.splitAsStream(m.group(2).substring(1)).toList()) {
      if (v == null) {
        break;
      }
      v =
          v.isArray() && segment.chars().allMatch(Character::isDigit)
              ? v.get(Integer.parseInt(segment))
              : v.get(segment);
    }
    if (v == null || v.isNull() || v.isMissingNode()) {
      throw new MissingValueException(
          "{"
              + m.group(1)
              + m.group(2)
              + "} has no value"
              + (scopes.containsKey(scope) ? "" : " (there is no " + scope + " for this call)"));
    }
    return v;
  }

  private static void collect(JsonNode node, String pointer, List<Placeholder> found) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        collect(
            e.getValue(), pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), found);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), pointer + "/" + i, found);
      }
    } else if (node.isString()) {
      Matcher m = PLACEHOLDER.matcher(node.asString());
      while (m.find()) {
        found.add(
            new Placeholder(
                m.group(1), DOT.splitAsStream(m.group(2).substring(1)).toList(), pointer));
      }
    }
  }
}
