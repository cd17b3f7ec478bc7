package dev.portcullis.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/** Checks shared by connector bindings whose action takes a fixed set of arguments. */
final class Bindings {
  private Bindings() {}

  /**
   * The schema at {@code p} may name only {@code arguments}, and must require {@code required}:
   * an argument the action would ignore is a mistake, and a missing one a call that cannot work.
   */
  static boolean checkArguments(
      ConfigReader r, String p, ObjectNode schema, String action, List<String> arguments, List<String> required) {
    boolean ok = true;
    for (String property : schema.path("properties").propertyNames()) {
      if (!arguments.contains(property)) {
        r.problem(p + "/properties/" + property, "'" + property + "' is not an argument of " + action
            + "; it takes " + arguments);
        ok = false;
      }
    }
    Set<String> listed = new HashSet<>();
    schema.path("required").forEach(v -> listed.add(v.asString()));
    Set<String> properties = new HashSet<>();
    schema.path("properties").propertyNames().forEach(properties::add);
    List<String> missing = required.stream().filter(a -> !listed.contains(a) || !properties.contains(a)).toList();
    if (!missing.isEmpty()) {
      r.problem(p, action + " needs " + missing + " as required properties of inputSchema");
      ok = false;
    }
    return ok;
  }
}
