package dev.portcullis.pipeline;

import tools.jackson.databind.JsonNode;

/** What an agent may see of a tool it is allowed to call. */
public record ToolSummary(
    String name, String title, String description, JsonNode inputSchema, String risk) {}
