package dev.portcullis.catalog;

import java.util.Objects;

/** A tool and its compiled argument schema. */
public record CatalogEntry(ToolDefinition tool, ArgumentSchema schema) {
  public CatalogEntry {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(schema, "schema");
  }
}
