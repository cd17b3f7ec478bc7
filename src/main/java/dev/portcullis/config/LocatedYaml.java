package dev.portcullis.config;

import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A YAML document as a JSON tree, plus the line where each node starts, keyed by JSON Pointer, so a
 * configuration error can name its line. Duplicate keys are refused (YAML allows the last to win
 * silently; in a security configuration that hides mistakes).
 */
final class LocatedYaml {
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final tools.jackson.databind.json.JsonMapper JSON =
      tools.jackson.databind.json.JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonNode root;
  private final Map<String, Integer> lines;

  private LocatedYaml(JsonNode root, Map<String, Integer> lines) {
    this.root = root;
    this.lines = Map.copyOf(lines);
  }

  /**
   * @throws ConfigException.Problem when the text is not YAML (with its line)
   */
  static LocatedYaml parse(String text) throws ConfigException.Problem {
    return parse(text, false);
  }

  /**
   * Parses {@code text} as JSON when {@code json}, else as YAML.
   *
   * @throws ConfigException.Problem when the text is not JSON or YAML (with its line)
   */
  static LocatedYaml parse(String text, boolean json) throws ConfigException.Problem {
    if (json) {
      try (JsonParser p = JSON.createParser(text)) {
        return located(p);
      } catch (JacksonException e) {
        int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        throw new ConfigException.Problem(
            line,
            "",
            "not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse("unreadable"));
      }
    }
    try (JsonParser p = YAML.createParser(text)) {
      return located(p);
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      // SnakeYAML explains in two parts ("while parsing X" ... "expected Y, but found Z"),
      // each followed by an excerpt of the file; keep the two sentences, drop the excerpts.
      String message =
          e.getOriginalMessage()
              .lines()
              .map(String::strip)
              .filter(l -> !l.isEmpty() && !l.startsWith("in reader") && !l.endsWith("^"))
              .filter(
                  l ->
                      l.startsWith("while")
                          || l.startsWith("expected")
                          || l.startsWith("found")
                          || l.startsWith("mapping")
                          || l.startsWith("could not")
                          || l.startsWith("did not"))
              .limit(2)
              .collect(java.util.stream.Collectors.joining(": "));
      if (message.isEmpty()) {
        message = e.getOriginalMessage().lines().findFirst().orElse("unreadable");
      }
      throw new ConfigException.Problem(line, "", "not valid YAML: " + message);
    }
  }

  private static LocatedYaml located(JsonParser p) throws ConfigException.Problem {
    Map<String, Integer> lines = new HashMap<>();
    JsonToken first = p.nextToken();
    if (first == null) {
      return new LocatedYaml(NODES.objectNode(), lines);
    }
    JsonNode root = read(p, "", lines);
    return new LocatedYaml(root, lines);
  }

  JsonNode root() {
    return root;
  }

  /** The line of the node at {@code pointer}, or of its nearest located parent; 0 if none. */
  int line(String pointer) {
    String p = pointer;
    while (true) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 0;
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
  }

  private static JsonNode read(JsonParser p, String pointer, Map<String, Integer> lines)
      throws ConfigException.Problem {
    int line = p.currentTokenLocation().getLineNr();
    lines.putIfAbsent(pointer, line);
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        ObjectNode object = NODES.objectNode();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String name = p.currentName();
          int keyLine = p.currentTokenLocation().getLineNr();
          String child = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
          if (object.has(name)) {
            throw new ConfigException.Problem(keyLine, child, "duplicate key '" + name + "'");
          }
          lines.put(child, keyLine);
          p.nextToken();
          object.set(name, read(p, child, lines));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          array.add(read(p, pointer + "/" + index++, lines));
        }
        return array;
      }
      case VALUE_STRING -> {
        return NODES.stringNode(p.getString());
      }
      case VALUE_NUMBER_INT -> {
        return NODES.numberNode(p.getBigIntegerValue());
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(p.getDecimalValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return NODES.booleanNode(t == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default -> throw new ConfigException.Problem(line, pointer, "unsupported YAML content " + t);
    }
  }
}
