package dev.portcullis.connector.mcp;

import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tool as an upstream MCP server describes it right now, under its own (un-namespaced) name.
 * {@link #descriptor()} is the part an operator approves and the gateway pins: name, title,
 * description, input schema and annotations. Any change to one of them is a new descriptor.
 */
public record UpstreamTool(
    String name, String title, String description, JsonNode inputSchema, JsonNode annotations) {
  public UpstreamTool {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(inputSchema, "inputSchema");
  }

  /** The descriptor as JSON: what is pinned, shown to the operator and compared. */
  public ObjectNode descriptor() {
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("name", name);
    d.put("title", title);
    d.put("description", description);
    d.set("inputSchema", inputSchema);
    d.set("annotations", annotations);
    return d;
  }
}
