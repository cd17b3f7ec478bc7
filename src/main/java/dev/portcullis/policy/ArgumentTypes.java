package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The numeric shape a tool's JSON Schema declares for its arguments, compiled at load, and the one
 * place JSON arguments become CEL values. A number lands in CEL as the schema says, not as the
 * agent happened to write it: under {@code type: integer} {@code 3.0} is the int {@code 3}; under
 * {@code type: number} {@code 100} is the double {@code 100.0}, so {@code args.amount * 1.5} works
 * whichever the agent sent. Where the schema says nothing (an upstream tool, an untyped member) a
 * whole number that fits in 64 bits is an int, any other a double.
 *
 * <p>Security: an agent must not be able to pick the CEL type of a fact, since a type mismatch is
 * an evaluation error (which counts against it, but must not be the only guard).
 *
 * <p>Concurrency: immutable after {@link #of}.
 */
public final class ArgumentTypes {
  /** Nothing declared: numbers by the whole-number rule, members and items likewise. */
  public static final ArgumentTypes UNTYPED =
      new ArgumentTypes(Kind.UNDECLARED, Map.of(), null, null);

  private static final int MAX_REF_DEPTH = 32;

  private enum Kind {
    INTEGER,
    NUMBER,
    UNDECLARED
  }

  private final Kind kind;
  private final Map<String, ArgumentTypes> properties;
  private final ArgumentTypes items;
  private final ArgumentTypes additional;

  private ArgumentTypes(
      Kind kind,
      Map<String, ArgumentTypes> properties,
      ArgumentTypes items,
      ArgumentTypes additional) {
    this.kind = kind;
    this.properties = properties;
    this.items = items;
    this.additional = additional;
  }

  /** The shape {@code schema} declares; local {@code $ref}s ({@code #/$defs/…}) are followed. */
  public static ArgumentTypes of(JsonNode schema) {
    return schema == null || !schema.isObject() ? UNTYPED : compile(schema, schema, 0);
  }

  private static ArgumentTypes compile(JsonNode node, JsonNode root, int depth) {
    if (depth > MAX_REF_DEPTH || !node.isObject()) {
      return UNTYPED;
    }
    JsonNode ref = node.path("$ref");
    if (ref.isString() && ref.asString().startsWith("#/")) {
      return compile(root.at(ref.asString().substring(1)), root, depth + 1);
    }
    Map<String, ArgumentTypes> props = new HashMap<>();
    node.path("properties")
        .properties()
        .forEach(e -> props.put(e.getKey(), compile(e.getValue(), root, depth + 1)));
    ArgumentTypes items =
        node.path("items").isObject() ? compile(node.path("items"), root, depth + 1) : null;
    ArgumentTypes additional =
        node.path("additionalProperties").isObject()
            ? compile(node.path("additionalProperties"), root, depth + 1)
            : null;
    Kind kind = kind(node.path("type"));
    if (kind == Kind.UNDECLARED && props.isEmpty() && items == null && additional == null) {
      return UNTYPED;
    }
    return new ArgumentTypes(kind, Map.copyOf(props), items, additional);
  }

  /**
   * {@code number} anywhere in the type makes it a number; {@code integer} without it an integer.
   */
  private static Kind kind(JsonNode type) {
    List<String> names = new ArrayList<>();
    if (type.isString()) {
      names.add(type.asString());
    } else if (type.isArray()) {
      type.forEach(t -> names.add(t.asString("")));
    }
    if (names.contains("number")) {
      return Kind.NUMBER;
    }
    return names.contains("integer") ? Kind.INTEGER : Kind.UNDECLARED;
  }

  /** {@code node} as a CEL value: maps, lists, strings, bools, int (long), double, or null. */
  public Object toCel(JsonNode node) {
    return switch (node.getNodeType()) {
      case OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), member(e.getKey()).toCel(e.getValue())));
        yield map;
      }
      case ARRAY -> {
        List<Object> list = new ArrayList<>(node.size());
        ArgumentTypes each = items == null ? UNTYPED : items;
        node.forEach(n -> list.add(each.toCel(n)));
        yield list;
      }
      case STRING -> node.asString();
      case BOOLEAN -> node.asBoolean();
      case NUMBER -> number(node);
      case NULL, MISSING -> dev.cel.common.values.NullValue.NULL_VALUE;
      default -> node.toString();
    };
  }

  private ArgumentTypes member(String name) {
    ArgumentTypes declared = properties.get(name);
    if (declared != null) {
      return declared;
    }
    return additional == null ? UNTYPED : additional;
  }

  private Object number(JsonNode node) {
    if (kind == Kind.NUMBER) {
      return toDouble(node);
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.asLong();
    }
    double value = toDouble(node);
    // 2^63 is exact as a double; every whole double in [-2^63, 2^63) is a long.
    if (Double.isFinite(value) && value == Math.rint(value) && value >= -0x1p63 && value < 0x1p63) {
      return (long) value;
    }
    return value;
  }

  /**
   * {@code node} as a double; one past the double range is an infinity (so {@code args.x > 100.0}
   * holds), where Jackson's {@code asDouble} throws and the policy stage would fail instead of
   * decide.
   */
  private static double toDouble(JsonNode node) {
    return node.isBigInteger() || node.isBigDecimal()
        ? node.decimalValue().doubleValue()
        : node.asDouble();
  }
}
