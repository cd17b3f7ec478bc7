package dev.portcullis.config;

import dev.portcullis.catalog.CatalogEntry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the tools the connectors imply through {@link ToolSection}, exactly as if they were written
 * under {@code tools}: the same schema compilation (with {@code additionalProperties: false} by
 * default), binding checks, result filter and descriptor hash. Their problems are shown at the
 * configuration field that asked for each tool.
 */
final class ImpliedTools {
  private ImpliedTools() {}

  static List<ImpliedTool> of(Map<String, ConnectorDraft> connectors) {
    return connectors.values().stream().flatMap(d -> d.impliedTools().stream()).toList();
  }

  static List<CatalogEntry> read(ConfigReader r, Map<String, ConnectorDraft> connectors) {
    List<ImpliedTool> implied = of(connectors);
    if (implied.isEmpty()) {
      return List.of();
    }
    Set<String> written = new HashSet<>();
    r.at("/tools").forEach(t -> written.add(t.path("name").asString("")));
    ArrayNode tools = JsonNodeFactory.instance.arrayNode();
    List<String> at = new java.util.ArrayList<>();
    for (ImpliedTool t : implied) {
      String name = t.entry().path("name").asString("");
      if (written.contains(name)) {
        r.problem(
            t.at() + "/name",
            "tool '"
                + name
                + "' is also defined under tools; give the imported one"
                + " another name with name:");
        continue;
      }
      tools.add(t.entry());
      at.add(t.at());
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("tools", tools);
    ConfigReader view = r.implied(root, pointer -> located(pointer, at));
    return new ToolSection(view, connectors).read();
  }

  /** {@code /tools/K/rest} of the view is {@code rest} under the field that asked for tool K. */
  private static String located(String pointer, List<String> at) {
    if (!pointer.startsWith("/tools/")) {
      return pointer;
    }
    int slash = pointer.indexOf('/', "/tools/".length());
    String index =
        slash < 0
            ? pointer.substring("/tools/".length())
            : pointer.substring("/tools/".length(), slash);
    try {
      return at.get(Integer.parseInt(index)) + (slash < 0 ? "" : pointer.substring(slash));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return pointer;
    }
  }
}
