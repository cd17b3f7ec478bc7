package dev.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A rule that permits some agents to call some tools, optionally only when a condition over the
 * call holds.
 */
public record Grant(
    String id,
    String description,
    List<String> agents,
    List<ToolPattern> tools,
    Optional<Condition> condition) {

  public Grant {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    agents = List.copyOf(agents);
    tools = List.copyOf(tools);
    Objects.requireNonNull(condition, "condition");
  }

  public boolean covers(String agentId, String toolName) {
    return agents.contains(agentId) && tools.stream().anyMatch(p -> p.matches(toolName));
  }
}
