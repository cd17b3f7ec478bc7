package dev.portcullis.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns one OpenAPI operation into a tool's input schema and {@code http:} binding.
 *
 * <p>Path and query parameters become properties (path parameters always required); the properties
 * of an {@code application/json} object body join them at the top level and travel as the JSON body
 * (the binding's {@code body: arguments}). Schemas a {@code $ref} points at are copied into the
 * input schema's {@code $defs}, so the schema stays self-contained; OpenAPI 3.0 schema dialect
 * ({@code nullable}, boolean {@code exclusiveMinimum}) becomes JSON Schema 2020-12. An operation
 * that cannot be called faithfully through the binding is refused, never approximated: a required
 * header or cookie parameter, a body that is not a JSON object, a body property named like a
 * parameter.
 */
final class OpenApiOperation {
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final Set<String> SCHEMA_MAPS =
      Set.of("properties", "patternProperties", "$defs", "definitions", "dependentSchemas");
  private static final Set<String> SCHEMA_VALUES =
      Set.of(
          "items",
          "additionalProperties",
          "not",
          "if",
          "then",
          "else",
          "contains",
          "propertyNames",
          "unevaluatedItems",
          "unevaluatedProperties",
          "additionalItems",
          "allOf",
          "anyOf",
          "oneOf",
          "prefixItems");

  /**
   * OpenAPI annotations with no meaning to a JSON Schema validator, and identifiers that would
   * re-base the {@code $defs} references this import writes.
   */
  private static final Set<String> DROPPED =
      Set.of("discriminator", "xml", "externalDocs", "$id", "$schema");

  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.-]");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Why an operation cannot become a tool. */
  static final class Unimportable extends Exception {
    private static final long serialVersionUID = 1L;

    Unimportable(String message) {
      super(message);
    }
  }

  /**
   * What the import makes of an operation; {@code description} is null when the document has none.
   */
  record Generated(String description, ObjectNode inputSchema, ObjectNode binding) {}

  /** A node found by following {@code $ref}s, and its pointer in the document. */
  private record Located(JsonNode node, String pointer) {}

  private final OpenApiDocument doc;
  private final OpenApiImport.Operation op;
  private final ObjectNode defs = NODES.objectNode();
  private final Map<String, String> defined = new HashMap<>();

  OpenApiOperation(OpenApiDocument doc, OpenApiImport.Operation op) {
    this.doc = doc;
    this.op = op;
  }

  Generated generate() throws Unimportable {
    String method = op.method().toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      throw new Unimportable(
          method
              + " at "
              + doc.where(op.pointer())
              + " cannot be imported: the http connector"
              + " sends "
              + METHODS.stream().sorted().toList());
    }
    ObjectNode properties = NODES.objectNode();
    ArrayNode required = NODES.arrayNode();
    ArrayNode query = NODES.arrayNode();
    for (Located param : parameters()) {
      parameter(param, properties, required, query);
    }
    boolean body = body(method, properties, required);
    ObjectNode schema = NODES.objectNode();
    schema.put("type", "object");
    schema.set("properties", properties);
    if (!required.isEmpty()) {
      schema.set("required", required);
    }
    if (!defs.isEmpty()) {
      schema.set("$defs", defs);
    }
    ObjectNode binding = NODES.objectNode();
    binding.put("method", method);
    binding.put("path", op.path());
    binding.set("query", query);
    binding.put("body", body ? "arguments" : "none");
    return new Generated(description(), schema, binding);
  }

  /** Summary and description, as the document gives them; null when it gives neither. */
  private String description() {
    String summary = op.node().path("summary").asString("").strip();
    String description = op.node().path("description").asString("").strip();
    if (summary.isEmpty()) {
      return description.isEmpty() ? null : description;
    }
    return description.isEmpty() || description.equals(summary)
        ? summary
        : summary + "\n\n" + description;
  }

  /**
   * Path-level parameters, then the operation's, which replace any of the same name and location.
   */
  private List<Located> parameters() throws Unimportable {
    Map<String, Located> out = new LinkedHashMap<>();
    for (Located list :
        List.of(
            new Located(op.pathItem().path("parameters"), op.pathItemPointer() + "/parameters"),
            new Located(op.node().path("parameters"), op.pointer() + "/parameters"))) {
      for (int i = 0; i < list.node().size(); i++) {
        Located param = resolve(list.node().get(i), list.pointer() + "/" + i);
        out.put(
            param.node().path("in").asString("") + " " + param.node().path("name").asString(""),
            param);
      }
    }
    return List.copyOf(out.values());
  }

  private void parameter(Located param, ObjectNode properties, ArrayNode required, ArrayNode query)
      throws Unimportable {
    JsonNode p = param.node();
    String name = p.path("name").asString("");
    String in = p.path("in").asString("");
    boolean needed = in.equals("path") || p.path("required").asBoolean(false);
    String what = in + " parameter '" + name + "' at " + doc.where(param.pointer());
    if (!in.equals("path") && !in.equals("query")) {
      if (needed) {
        throw new Unimportable(
            "required "
                + what
                + " cannot be sent through the gateway (only path and query"
                + " parameters and a JSON body are); this operation cannot be imported");
      }
      return;
    }
    if (!p.has("schema")) {
      if (needed) {
        throw new Unimportable(
            what + " has no schema (content: is not imported); this operation cannot be imported");
      }
      return;
    }
    Located shape = resolve(p.get("schema"), param.pointer() + "/schema");
    if (in.equals("query") && (isType(shape.node(), "array") || isType(shape.node(), "object"))) {
      if (needed) {
        throw new Unimportable(
            what
                + " is an array or object; the http connector sends scalar query values only,"
                + " so this operation cannot be imported");
      }
      return;
    }
    if (properties.has(name)) {
      throw new Unimportable(
          what + " has the name of another parameter; the tool's arguments would be ambiguous");
    }
    JsonNode schema = convert(p.get("schema"), param.pointer() + "/schema");
    if (schema instanceof ObjectNode o) {
      if (p.has("description") && !shape.node().has("description")) {
        o.put("description", p.get("description").asString(""));
      }
      if (p.path("deprecated").asBoolean(false)) {
        o.put("deprecated", true);
      }
    }
    properties.set(name, schema);
    if (needed) {
      required.add(name);
    }
    if (in.equals("query")) {
      query.add(name);
    }
  }

  /** Adds the JSON body's properties; whether the operation sends a body. */
  private boolean body(String method, ObjectNode properties, ArrayNode required)
      throws Unimportable {
    if (!op.node().has("requestBody")) {
      return false;
    }
    Located body = resolve(op.node().get("requestBody"), op.pointer() + "/requestBody");
    boolean needed = body.node().path("required").asBoolean(false);
    String json = null;
    for (String type : body.node().path("content").propertyNames()) {
      String t = type.toLowerCase(Locale.ROOT);
      if (t.startsWith("application/json")
          || (json == null && t.matches("application/[^;]*\\+json.*"))) {
        json = type;
      }
    }
    if (json == null) {
      if (needed) {
        throw new Unimportable(
            "the request body at "
                + doc.where(body.pointer())
                + " is not application/json;"
                + " this operation cannot be imported");
      }
      return false;
    }
    if (method.equals("GET")) {
      throw new Unimportable(
          "GET at "
              + doc.where(op.pointer())
              + " has a request body, which the http connector"
              + " does not send with GET; this operation cannot be imported");
    }
    String at =
        body.pointer() + "/content/" + json.replace("~", "~0").replace("/", "~1") + "/schema";
    JsonNode raw = body.node().path("content").path(json).path("schema");
    Located shape = resolve(raw, at);
    JsonNode props = shape.node().path("properties");
    if (!props.isObject()
        || !(shape.node().path("type").isMissingNode() || isType(shape.node(), "object"))) {
      throw new Unimportable(
          "the request body schema at "
              + doc.where(shape.pointer())
              + " is not an object with"
              + " properties; only such bodies become tool arguments, so this operation cannot be imported");
    }
    Set<String> bodyRequired = new java.util.HashSet<>();
    shape.node().path("required").forEach(n -> bodyRequired.add(n.asString("")));
    for (String name : props.propertyNames()) {
      String here = shape.pointer() + "/properties/" + name.replace("~", "~0").replace("/", "~1");
      if (resolve(props.get(name), here).node().path("readOnly").asBoolean(false)) {
        continue;
      }
      if (properties.has(name)) {
        throw new Unimportable(
            "request body property '"
                + name
                + "' at "
                + doc.where(here)
                + " has the name of a"
                + " parameter; the tool's arguments would be ambiguous, so this operation cannot be imported");
      }
      properties.set(name, convert(props.get(name), here));
      if (needed && bodyRequired.contains(name)) {
        required.add(name);
      }
    }
    return true;
  }

  private static boolean isType(JsonNode schema, String type) {
    JsonNode t = schema.path("type");
    if (t.isArray()) {
      for (JsonNode each : t) {
        if (each.asString("").equals(type)) {
          return true;
        }
      }
      return false;
    }
    return t.asString("").equals(type);
  }

  /** Follows {@code $ref}s from {@code node} to what they point at. */
  private Located resolve(JsonNode node, String pointer) throws Unimportable {
    Located at = new Located(node, pointer);
    for (int hops = 0; at.node().isObject() && at.node().has("$ref"); hops++) {
      if (hops == 32) {
        throw new Unimportable("$ref at " + doc.where(pointer) + " goes round in a loop");
      }
      String ref = at.node().get("$ref").asString("");
      at = new Located(doc.target(ref, at.pointer()), OpenApiDocument.pointer(ref));
    }
    return at;
  }

  /**
   * A JSON Schema 2020-12 copy of the schema at {@code at}, its {@code $ref}s pointing into {@code
   * $defs}.
   */
  private JsonNode convert(JsonNode schema, String at) throws Unimportable {
    if (!schema.isObject()) {
      return schema.deepCopy();
    }
    ObjectNode out = NODES.objectNode();
    for (String key : schema.propertyNames()) {
      JsonNode value = schema.get(key);
      String here = at + "/" + key.replace("~", "~0").replace("/", "~1");
      if (key.equals("$ref")) {
        out.put("$ref", "#/$defs/" + define(value.asString(""), at));
      } else if (SCHEMA_MAPS.contains(key) && value.isObject()) {
        ObjectNode map = NODES.objectNode();
        for (String name : value.propertyNames()) {
          map.set(
              name,
              convert(value.get(name), here + "/" + name.replace("~", "~0").replace("/", "~1")));
        }
        out.set(key, map);
      } else if (SCHEMA_VALUES.contains(key) && value.isArray()) {
        ArrayNode list = NODES.arrayNode();
        for (int i = 0; i < value.size(); i++) {
          list.add(convert(value.get(i), here + "/" + i));
        }
        out.set(key, list);
      } else if (SCHEMA_VALUES.contains(key)) {
        out.set(key, convert(value, here));
      } else if (key.equals("example")) {
        if (!schema.has("examples")) {
          out.set("examples", NODES.arrayNode().add(value.deepCopy()));
        }
      } else if (!DROPPED.contains(key)
          && !key.startsWith("x-")
          && !(doc.openApi30()
              && (key.equals("nullable") || (value.isBoolean() && key.startsWith("exclusiveM"))))) {
        out.set(key, value.deepCopy());
      }
    }
    if (doc.openApi30()) {
      openApi30(schema, out);
    }
    return out;
  }

  /**
   * OpenAPI 3.0's {@code nullable} and boolean {@code exclusiveMinimum/Maximum} in 2020-12 terms.
   */
  private static void openApi30(JsonNode schema, ObjectNode out) {
    if (schema.path("nullable").asBoolean(false)) {
      if (out.path("type").isString()) {
        out.set("type", NODES.arrayNode().add(out.get("type").asString()).add("null"));
      }
      if (out.path("enum").isArray()) {
        ((ArrayNode) out.get("enum")).addNull();
      }
    }
    for (String bound : List.of("Minimum", "Maximum")) {
      String plain = bound.toLowerCase(Locale.ROOT);
      if (schema.path("exclusive" + bound).asBoolean(false) && out.has(plain)) {
        out.set("exclusive" + bound, out.get(plain));
        out.remove(plain);
      }
    }
  }

  /** The {@code $defs} name of the schema {@code ref} points at, copied there on first use. */
  private String define(String ref, String at) throws Unimportable {
    String known = defined.get(ref);
    if (known != null) {
      return known;
    }
    JsonNode target = doc.target(ref, at);
    String pointer = OpenApiDocument.pointer(ref);
    String base =
        UNSAFE
            .matcher(
                pointer.startsWith("/components/schemas/")
                    ? pointer.substring("/components/schemas/".length())
                    : pointer.substring(1).replace('/', '.'))
            .replaceAll("_");
    String name = base;
    for (int n = 2; defs.has(name); n++) {
      name = base + "_" + n;
    }
    defined.put(ref, name);
    defs.putNull(name);
    defs.set(name, convert(target, pointer));
    return name;
  }
}
