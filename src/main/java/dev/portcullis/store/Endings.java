package dev.portcullis.store;

import dev.portcullis.invocation.Ending;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How an {@link Ending} is stored: JSON with only the members it has (no empty reasons), so a JSON
 * null result stays a result.
 */
final class Endings {
  private Endings() {}

  /** The ending as stored; null for none. */
  static String write(JsonMapper json, Ending e) {
    if (e == null) {
      return null;
    }
    ObjectNode n = json.createObjectNode();
    if (e.kind() != null) {
      n.put("kind", e.kind());
    }
    if (e.detail() != null) {
      n.put("detail", e.detail());
    }
    if (!e.reasons().isEmpty()) {
      ArrayNode reasons = n.putArray("reasons");
      e.reasons().forEach(reasons::add);
    }
    if (e.result() != null) {
      n.set("result", e.result());
    }
    return json.writeValueAsString(n);
  }

  /** The stored ending {@code text}; null for none. */
  static Ending read(JsonMapper json, String text) throws SQLException {
    if (text == null) {
      return null;
    }
    JsonNode n;
    try {
      n = json.readTree(text);
    } catch (JacksonException e) {
      throw new SQLException("a stored ending is not JSON: " + e.getOriginalMessage(), e);
    }
    List<String> reasons = new ArrayList<>();
    n.path("reasons").forEach(r -> reasons.add(r.asString()));
    return new Ending(
        n.has("kind") ? n.get("kind").asString() : null,
        n.has("detail") ? n.get("detail").asString() : null,
        reasons,
        n.has("result") ? n.get("result") : null);
  }
}
