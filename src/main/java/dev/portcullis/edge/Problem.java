package dev.portcullis.edge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An RFC 9457 problem: a type, a detail that says what to do next, and extension members (ids,
 * violations). Security: details are written for the agent and never carry credentials.
 */
public record Problem(ProblemType type, String detail, Map<String, Object> extensions) {
  public Problem {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(detail, "detail");
    extensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  public static Problem of(ProblemType type, String detail) {
    return new Problem(type, detail, Map.of());
  }

  public Problem with(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(extensions);
    more.put(name, value);
    return new Problem(type, detail, more);
  }

  /** The JSON body, members in the RFC's order, then the extensions. */
  public Map<String, Object> body(String instance) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", type.uri());
    body.put("title", type.title());
    body.put("status", type.status());
    body.put("detail", detail);
    if (instance != null) {
      body.put("instance", instance);
    }
    body.putAll(extensions);
    return body;
  }
}
