package dev.portcullis.catalog;

import java.util.List;
import tools.jackson.databind.JsonNode;

/** A tool's argument schema, compiled once at load. */
public interface ArgumentSchema {
  /** Every violation of the schema, each naming the JSON location; empty when valid. */
  List<String> violations(JsonNode arguments);
}
