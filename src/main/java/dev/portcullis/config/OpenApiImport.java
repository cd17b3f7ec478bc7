package dev.portcullis.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the {@code openapi:} block of an HTTP connector: loads the OpenAPI 3.0/3.1 document it
 * names and turns each operation it selects into a tool in the shape of a {@code tools} entry (see
 * {@link ImpliedTool}). Nothing is imported unless selected by its operationId.
 *
 * <p>Security: the document is read from a local file beside the configuration; a {@code $ref} that
 * leaves the document is refused, so loading never fetches anything. The document's {@code servers}
 * are ignored: calls go to the connector's {@code baseUrl} only.
 */
final class OpenApiImport {
  private static final Set<String> OVERRIDES =
      Set.of("name", "risk", "description", "result", "audit");
  private static final List<String> METHODS =
      List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.-]");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private OpenApiImport() {}

  /** One operation of the document: where it is, and its path item (for path-level parameters). */
  record Operation(
      String path,
      String method,
      String pointer,
      JsonNode node,
      JsonNode pathItem,
      String pathItemPointer) {}

  /**
   * The tools the block at {@code p} selects, for the connector {@code connector}; problems go to
   * {@code r}.
   */
  static List<ImpliedTool> read(ConfigReader r, String p, String connector) {
    if (!r.isObject(p, false)) {
      return List.of();
    }
    r.onlyKeys(p, Set.of("document", "operations"));
    OpenApiDocument doc =
        r.string(p + "/document", true).map(d -> document(r, p + "/document", d)).orElse(null);
    String ops = p + "/operations";
    if (!r.isObject(ops, true)) {
      return List.of();
    }
    if (r.at(ops).isEmpty()) {
      r.problem(ops, "selects no operation; list the operationIds to import as tools");
      return List.of();
    }
    if (doc == null) {
      return List.of();
    }
    Map<String, List<Operation>> byId = operations(doc);
    List<ImpliedTool> out = new ArrayList<>();
    for (String id : r.at(ops).propertyNames()) {
      String o = ops + "/" + id.replace("~", "~0").replace("/", "~1");
      JsonNode overrides = r.at(o);
      if (!overrides.isNull() && !r.isObject(o, false)) {
        continue;
      }
      r.onlyKeys(o, OVERRIDES);
      List<Operation> found = byId.getOrDefault(id, List.of());
      if (found.isEmpty()) {
        r.problem(
            o,
            "no operation has operationId '"
                + id
                + "' in "
                + doc.name()
                + "; it has "
                + abbreviated(byId.keySet()));
        continue;
      }
      if (found.size() > 1) {
        r.problem(
            o,
            "operationId '"
                + id
                + "' names "
                + found.size()
                + " operations in "
                + doc.name()
                + " ("
                + doc.where(found.get(0).pointer())
                + ", "
                + doc.where(found.get(1).pointer())
                + ")");
        continue;
      }
      try {
        out.add(new ImpliedTool(o, entry(r, o, connector, id, found.getFirst(), doc)));
      } catch (OpenApiOperation.Unimportable e) {
        r.problem(o, e.getMessage());
      }
    }
    return out;
  }

  private static OpenApiDocument document(ConfigReader r, String p, String text) {
    Path file;
    byte[] bytes;
    try {
      file = r.resolve(text);
      bytes = Files.readAllBytes(file);
    } catch (IOException | java.nio.file.InvalidPathException e) {
      r.problem(
          p,
          "cannot read '"
              + text
              + "' (paths are relative to the configuration file): "
              + e.getClass().getSimpleName());
      return null;
    }
    r.imported(text, bytes);
    String name = file.getFileName().toString();
    LocatedYaml yaml;
    try {
      yaml =
          LocatedYaml.parse(
              new String(bytes, StandardCharsets.UTF_8),
              name.toLowerCase(Locale.ROOT).endsWith(".json"));
    } catch (ConfigException.Problem e) {
      r.problem(p, name + (e.line() > 0 ? ":" + e.line() : "") + ": " + e.getMessage());
      return null;
    }
    JsonNode root = yaml.root();
    String version = root.path("openapi").asString("");
    if (!root.isObject() || !(version.startsWith("3.0.") || version.startsWith("3.1."))) {
      r.problem(
          p,
          "'"
              + text
              + "' is not an OpenAPI 3.0 or 3.1 document (its openapi field is '"
              + version
              + "'"
              + (root.has("swagger") ? "; Swagger 2.0 must be converted to OpenAPI 3 first" : "")
              + ")");
      return null;
    }
    return new OpenApiDocument(name, yaml, version.startsWith("3.0."));
  }

  /** Every operation of the document with an operationId, by that id. */
  private static Map<String, List<Operation>> operations(OpenApiDocument doc) {
    Map<String, List<Operation>> out = new LinkedHashMap<>();
    JsonNode paths = doc.root().path("paths");
    for (String path : paths.propertyNames()) {
      String item = "/paths/" + path.replace("~", "~0").replace("/", "~1");
      JsonNode pathItem = paths.get(path);
      for (String method : METHODS) {
        JsonNode op = pathItem.path(method);
        if (op.isObject() && op.path("operationId").isString()) {
          out.computeIfAbsent(op.get("operationId").asString(), k -> new ArrayList<>())
              .add(new Operation(path, method, item + "/" + method, op, pathItem, item));
        }
      }
    }
    return out;
  }

  /**
   * The {@code tools} entry for operation {@code id}: generated fields, then the overrides at
   * {@code o}.
   */
  private static ObjectNode entry(
      ConfigReader r, String o, String connector, String id, Operation op, OpenApiDocument doc)
      throws OpenApiOperation.Unimportable {
    OpenApiOperation.Generated generated = new OpenApiOperation(doc, op).generate();
    ObjectNode entry = NODES.objectNode();
    JsonNode overrides = r.at(o);
    if (overrides.has("name")) {
      entry.set("name", overrides.get("name").deepCopy());
    } else {
      String name = connector + "." + UNSAFE.matcher(id).replaceAll("_");
      if (name.length() > 64) {
        throw new OpenApiOperation.Unimportable(
            "the tool name '"
                + name
                + "' would be longer than 64 characters;"
                + " give it a shorter one with name:");
      }
      entry.put("name", name);
    }
    if (overrides.has("description")) {
      entry.set("description", overrides.get("description").deepCopy());
    } else if (generated.description() != null) {
      entry.put("description", generated.description());
    } else {
      throw new OpenApiOperation.Unimportable(
          "operation '"
              + id
              + "' has neither summary nor description in "
              + doc.name()
              + "; give the tool one with description:");
    }
    if (overrides.has("risk")) {
      entry.set("risk", overrides.get("risk").deepCopy());
    } else {
      entry.put("risk", op.method().equals("get") || op.method().equals("head") ? "read" : "write");
    }
    entry.put("connector", connector);
    for (String copied : List.of("audit", "result")) {
      if (overrides.has(copied)) {
        entry.set(copied, overrides.get(copied).deepCopy());
      }
    }
    entry.set("inputSchema", generated.inputSchema());
    entry.set("http", generated.binding());
    return entry;
  }

  private static String abbreviated(Set<String> ids) {
    List<String> sorted = ids.stream().sorted().toList();
    return sorted.isEmpty()
        ? "none"
        : sorted.size() <= 10
            ? sorted.toString()
            : sorted.subList(0, 10) + " and " + (sorted.size() - 10) + " more";
  }
}
