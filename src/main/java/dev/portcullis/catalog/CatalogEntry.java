package dev.portcullis.catalog;

import java.util.Objects;

/** A tool, its compiled argument schema and its compiled result filter. */
public record CatalogEntry(ToolDefinition tool, ArgumentSchema schema, ResultFilter result) {
  public CatalogEntry {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(result, "result");
  }

  /**
   * A tool with the default result filter: keep every field, redact every kind of personal data.
   */
  public CatalogEntry(ToolDefinition tool, ArgumentSchema schema) {
    this(tool, schema, ResultFilter.DEFAULT);
  }
}
