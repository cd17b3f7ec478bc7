package dev.portcullis.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A policy set ready to decide: its rules, its version (a hash of its source), and for each
 * catalog tool the rules whose tool, risk and connector targets cover it, in file order. Built once
 * at load; read without locks by every call.
 */
public final class CompiledPolicy {
  private final List<Rule> rules;
  private final String version;
  private final Map<String, List<Rule>> byTool;

  public CompiledPolicy(List<Rule> rules, String version, List<ToolFacts> tools) {
    this.rules = List.copyOf(rules);
    this.version = Objects.requireNonNull(version, "version");
    this.byTool =
        tools.stream().collect(Collectors.toUnmodifiableMap(ToolFacts::name, t -> {
          List<Rule> covering = new ArrayList<>();
          for (Rule r : this.rules) {
            if (r.target().matchesTool(t.name(), t.risk(), t.connector())) {
              covering.add(r);
            }
          }
          return List.copyOf(covering);
        }));
  }

  public List<Rule> rules() {
    return rules;
  }

  public String version() {
    return version;
  }

  /** The rules that may apply to calls of {@code toolName}; empty for a tool not in the catalog. */
  public List<Rule> rulesFor(String toolName) {
    return byTool.getOrDefault(toolName, List.of());
  }
}
