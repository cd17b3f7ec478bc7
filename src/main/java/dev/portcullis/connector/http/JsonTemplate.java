package dev.portcullis.connector.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A JSON value written in configuration with holes that a call's arguments fill: a request body
 * such as Jira's {@code {"fields": {"summary": …}}}, or the value of one query parameter.
 *
 * <ul>
 *   <li>{@code {"$arg": "name"}} is the argument's value, whatever its JSON type; when the call
 *       does not carry it (or carries null), the member or element holding it is left out.
 *   <li>{@code {"$text": "… {name} …", "$escape": "soql"}} is a string with each named argument's
 *       value inserted, escaped for the language named; left out when any named argument is absent.
 *   <li>Anything else is itself, its members and elements read by the same rules.
 * </ul>
 *
 * <p>Security: the template is compiled at load; an argument's value is only ever data. It is
 * inserted as a JSON value (never re-read as template syntax), and inside {@code $text} it is
 * escaped so that it stays inside the string literal the template puts it in.
 */
public final class JsonTemplate {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The languages a {@code $text} template can insert values into. */
  public enum Escape {
    /** A SOQL string literal in single quotes (Salesforce's quoted string escape sequences). */
    SOQL {
      @Override
      String apply(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
          char c = value.charAt(i);
          switch (c) {
            case '\\' -> out.append("\\\\");
            case '\'' -> out.append("\\'");
            case '"' -> out.append("\\\"");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            default -> {
              if (c < 0x20 || c == 0x7f) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
              } else {
                out.append(c);
              }
            }
          }
        }
        return out.toString();
      }
    };

    abstract String apply(String value);

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A template that cannot be compiled; {@link #pointer()} is where, relative to its root. */
  public static final class InvalidTemplateException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String pointer;

    InvalidTemplateException(String pointer, String message) {
      super(message);
      this.pointer = pointer;
    }

    public String pointer() {
      return pointer;
    }
  }

  private sealed interface Node permits Literal, Arg, Text, Obj, Arr {}

  private record Literal(JsonNode value) implements Node {}

  private record Arg(String name) implements Node {}

  /** {@code literals} has one more entry than {@code names}: literal, name, literal, …, literal. */
  private record Text(List<String> literals, List<String> names, Escape escape) implements Node {}

  private record Obj(Map<String, Node> members) implements Node {}

  private record Arr(List<Node> items) implements Node {}

  private final JsonNode source;
  private final Node root;
  private final Set<String> arguments;
  private final Set<String> textArguments;

  private JsonTemplate(
      JsonNode source, Node root, Set<String> arguments, Set<String> textArguments) {
    this.source = source;
    this.root = root;
    this.arguments = Set.copyOf(arguments);
    this.textArguments = Set.copyOf(textArguments);
  }

  /**
   * Compiles {@code source}.
   *
   * @throws InvalidTemplateException naming where in {@code source} it is wrong
   */
  public static JsonTemplate compile(JsonNode source) {
    Set<String> args = new LinkedHashSet<>();
    Set<String> textArgs = new LinkedHashSet<>();
    Node root = node(source, "", args, textArgs);
    return new JsonTemplate(source.deepCopy(), root, args, textArgs);
  }

  /** The template as written. */
  public JsonNode source() {
    return source;
  }

  /** Every argument the template names. */
  public Set<String> arguments() {
    return arguments;
  }

  /** The arguments named inside {@code $text}: without them the text cannot be built. */
  public Set<String> textArguments() {
    return textArguments;
  }

  /** The value for a call with {@code arguments}; empty when the root itself is left out. */
  public Optional<JsonNode> render(JsonNode arguments) {
    return Optional.ofNullable(render(root, arguments));
  }

  private static JsonNode render(Node node, JsonNode args) {
    return switch (node) {
      case Literal l -> l.value();
      case Arg a -> {
        JsonNode v = args.get(a.name());
        yield v == null || v.isNull() ? null : v;
      }
      case Text t -> {
        StringBuilder out = new StringBuilder(t.literals().getFirst());
        for (int i = 0; i < t.names().size(); i++) {
          JsonNode v = args.get(t.names().get(i));
          if (v == null || v.isNull()) {
            yield null;
          }
          out.append(t.escape().apply(v.isValueNode() ? v.asString() : v.toString()));
          out.append(t.literals().get(i + 1));
        }
        yield NODES.stringNode(out.toString());
      }
      case Obj o -> {
        ObjectNode out = NODES.objectNode();
        o.members()
            .forEach(
                (k, v) -> {
                  JsonNode value = render(v, args);
                  if (value != null) {
                    out.set(k, value);
                  }
                });
        yield out;
      }
      case Arr a -> {
        ArrayNode out = NODES.arrayNode();
        for (Node item : a.items()) {
          JsonNode value = render(item, args);
          if (value != null) {
            out.add(value);
          }
        }
        yield out;
      }
    };
  }

  private static Node node(JsonNode n, String at, Set<String> args, Set<String> textArgs) {
    if (n.isArray()) {
      List<Node> items = new ArrayList<>();
      for (int i = 0; i < n.size(); i++) {
        items.add(node(n.get(i), at + "/" + i, args, textArgs));
      }
      return new Arr(items);
    }
    if (!n.isObject()) {
      return new Literal(n.deepCopy());
    }
    if (n.has("$arg")) {
      only(n, at, Set.of("$arg"));
      String name = name(n.get("$arg"), at + "/$arg");
      args.add(name);
      return new Arg(name);
    }
    if (n.has("$text")) {
      only(n, at, Set.of("$text", "$escape"));
      return text(n, at, args, textArgs);
    }
    Map<String, Node> members = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      String child = at + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
      if (e.getKey().startsWith("$")) {
        throw new InvalidTemplateException(
            child, "'" + e.getKey() + "' is not one of [$arg, $text, $escape]");
      }
      members.put(e.getKey(), node(e.getValue(), child, args, textArgs));
    }
    return new Obj(members);
  }

  private static void only(JsonNode n, String at, Set<String> keys) {
    for (String k : n.propertyNames()) {
      if (!keys.contains(k)) {
        throw new InvalidTemplateException(
            at + "/" + k,
            "'"
                + k
                + "' cannot stand beside "
                + keys.stream().sorted().toList()
                + "; a placeholder is a mapping of its own");
      }
    }
  }

  private static String name(JsonNode n, String at) {
    if (!n.isString() || !NAME.matcher(n.asString()).matches()) {
      throw new InvalidTemplateException(at, "must name an argument (letters, digits, '_')");
    }
    return n.asString();
  }

  private static Text text(JsonNode n, String at, Set<String> args, Set<String> textArgs) {
    JsonNode escapeNode = n.get("$escape");
    List<String> escapes = java.util.Arrays.stream(Escape.values()).map(Escape::wireName).toList();
    if (escapeNode == null || !escapeNode.isString() || !escapes.contains(escapeNode.asString())) {
      throw new InvalidTemplateException(
          at + (escapeNode == null ? "" : "/$escape"),
          "$text needs $escape, one of " + escapes + ": the language the values are inserted into");
    }
    Escape escape = Escape.valueOf(escapeNode.asString().toUpperCase(Locale.ROOT));
    JsonNode textNode = n.get("$text");
    if (!textNode.isString()) {
      throw new InvalidTemplateException(at + "/$text", "must be a string");
    }
    String text = textNode.asString();
    List<String> literals = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int from = 0;
    while (true) {
      int open = text.indexOf('{', from);
      int stray = text.indexOf('}', from);
      if (stray >= 0 && (open < 0 || stray < open)) {
        throw new InvalidTemplateException(at + "/$text", "'}' without '{' at offset " + stray);
      }
      if (open < 0) {
        literals.add(text.substring(from));
        break;
      }
      int close = text.indexOf('}', open);
      if (close < 0) {
        throw new InvalidTemplateException(at + "/$text", "unclosed '{' at offset " + open);
      }
      String name = text.substring(open + 1, close);
      if (!NAME.matcher(name).matches()) {
        throw new InvalidTemplateException(
            at + "/$text", "'{" + name + "}' does not name an argument");
      }
      literals.add(text.substring(from, open));
      names.add(name);
      args.add(name);
      textArgs.add(name);
      from = close + 1;
    }
    return new Text(literals, names, escape);
  }
}
