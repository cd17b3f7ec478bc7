package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A policy set ready to decide: its rules, its version (a hash of its source), for each catalog
 * tool the rules whose tool, risk and connector targets cover it, in file order, and the declared
 * types of its arguments; and the warnings its load raised. Built once at load; read without locks
 * by every call.
 */
public final class CompiledPolicy {
  private final List<Rule> rules;
  private final String version;
  private final Map<String, List<Rule>> byTool;
  private final Map<String, ArgumentTypes> argumentTypes;
  private final List<String> warnings;

  public CompiledPolicy(List<Rule> rules, String version, List<ToolFacts> tools) {
    this(rules, version, tools, List.of());
  }

  public CompiledPolicy(
      List<Rule> rules, String version, List<ToolFacts> tools, List<String> warnings) {
    this.rules = List.copyOf(rules);
    this.version = Objects.requireNonNull(version, "version");
    this.warnings = List.copyOf(warnings);
    Map<String, List<Rule>> index = new HashMap<>();
    Map<String, ArgumentTypes> types = new HashMap<>();
    for (ToolFacts t : tools) {
      List<Rule> covering = new ArrayList<>();
      for (Rule r : this.rules) {
        if (r.target().matchesTool(t.name(), t.risk(), t.connector())) {
          covering.add(r);
        }
      }
      index.put(t.name(), List.copyOf(covering));
      types.put(t.name(), t.argumentTypes());
    }
    this.byTool = Map.copyOf(index);
    this.argumentTypes = Map.copyOf(types);
  }

  public List<Rule> rules() {
    return rules;
  }

  public String version() {
    return version;
  }

  /** What the load found questionable but not wrong, each {@code file:line: pointer: message}. */
  public List<String> warnings() {
    return warnings;
  }

  /** The rules that may apply to calls of {@code toolName}; empty for a tool not in the catalog. */
  public List<Rule> rulesFor(String toolName) {
    return byTool.getOrDefault(toolName, List.of());
  }

  /** The declared types of {@code toolName}'s arguments; untyped for a tool not in the catalog. */
  public ArgumentTypes argumentTypes(String toolName) {
    return argumentTypes.getOrDefault(toolName, ArgumentTypes.UNTYPED);
  }
}
