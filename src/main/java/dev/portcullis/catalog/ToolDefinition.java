package dev.portcullis.catalog;

import dev.portcullis.invocation.ToolRef;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * A tool as the catalog knows it: what an agent may see of it (name, title, description, input
 * schema) and what the gateway needs to run it (risk class, connector). {@code descriptorHash} pins
 * the descriptor an agent sees: it changes whenever any of those fields change.
 */
public record ToolDefinition(
    String name,
    String title,
    String description,
    String version,
    RiskClass risk,
    String connector,
    JsonNode inputSchema,
    boolean auditArgumentsDigestOnly,
    String descriptorHash) {

  public ToolDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(risk, "risk");
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(inputSchema, "inputSchema");
    Objects.requireNonNull(descriptorHash, "descriptorHash");
  }

  public ToolRef ref() {
    return new ToolRef(name, version, descriptorHash, risk.wireName(), connector);
  }
}
