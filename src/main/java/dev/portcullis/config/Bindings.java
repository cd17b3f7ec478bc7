package dev.portcullis.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/** Checks shared by connector bindings whose action takes a fixed set of arguments. */
final class Bindings {
  private Bindings() {}

  /**
   * Reads a binding of the form {@code {action: NAME}} at {@code p}: whether it names {@code
   * action}, the only one the connector has.
   */
  static boolean action(ConfigReader r, String p, String action) {
    if (!r.isObject(p, true)) {
      return false;
    }
    r.onlyKeys(p, Set.of("action"));
    java.util.Optional<String> named = r.string(p + "/action", true);
    if (named.isPresent() && !named.get().equals(action)) {
      r.problem(p + "/action", "'" + named.get() + "' is not one of [" + action + "]");
      return false;
    }
    return named.isPresent();
  }

  /** Where the input schema of the tool whose binding is at {@code p} is written. */
  static String schemaBeside(String p) {
    return p.substring(0, p.lastIndexOf('/')) + "/inputSchema";
  }

  /**
   * The schema at {@code p} may name only {@code arguments}, and must require {@code required}: an
   * argument the action would ignore is a mistake, and a missing one a call that cannot work.
   */
  static boolean checkArguments(
      ConfigReader r,
      String p,
      ObjectNode schema,
      String action,
      List<String> arguments,
      List<String> required) {
    boolean ok = true;
    for (String property : schema.path("properties").propertyNames()) {
      if (!arguments.contains(property)) {
        r.problem(
            p + "/properties/" + property,
            "'" + property + "' is not an argument of " + action + "; it takes " + arguments);
        ok = false;
      }
    }
    Set<String> listed = new HashSet<>();
    schema.path("required").forEach(v -> listed.add(v.asString()));
    Set<String> properties = new HashSet<>();
    schema.path("properties").propertyNames().forEach(properties::add);
    List<String> missing =
        required.stream().filter(a -> !listed.contains(a) || !properties.contains(a)).toList();
    if (!missing.isEmpty()) {
      r.problem(p, action + " needs " + missing + " as required properties of inputSchema");
      ok = false;
    }
    return ok;
  }
}
