package dev.portcullis.catalog;

import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * What the configuration says of one tool of an upstream MCP server: its catalog name ({@code
 * connector.tool}), its name upstream, the risk class the operator gives it, and the result filter
 * and audit mode, as for any tool. Its descriptor comes from the upstream, pinned by approval.
 * {@code resultConfig} is the filter as configured (part of the descriptor hash), or null.
 */
public record UpstreamToolSpec(
    String name,
    String connector,
    String upstreamName,
    RiskClass risk,
    ResultFilter result,
    JsonNode resultConfig,
    boolean auditArgumentsDigestOnly) {
  public UpstreamToolSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(connector, "connector");
    Objects.requireNonNull(upstreamName, "upstreamName");
    Objects.requireNonNull(risk, "risk");
    Objects.requireNonNull(result, "result");
  }
}
