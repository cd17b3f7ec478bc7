package dev.portcullis.pipeline;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.ToolDefinition;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.UserRef;
import dev.portcullis.policy.PolicyEngine;
import java.util.List;

/**
 * The tools one agent may call: the catalog filtered by policy. A tool no rule grants to the agent
 * is not shown at all.
 */
public final class ToolDirectory {
  private final Catalog catalog;
  private final PolicyEngine policy;

  public ToolDirectory(Catalog catalog, PolicyEngine policy) {
    this.catalog = catalog;
    this.policy = policy;
  }

  /** The tools {@code agent}, acting for {@code user} (null when none), may call. */
  public List<ToolSummary> visibleTo(AgentRef agent, UserRef user) {
    return catalog.entries().stream()
        .map(e -> e.tool())
        .filter(t -> policy.mayCall(agent, user, t.name()))
        .map(ToolDirectory::summary)
        .toList();
  }

  private static ToolSummary summary(ToolDefinition t) {
    return new ToolSummary(
        t.name(), t.title(), t.description(), t.inputSchema(), t.risk().wireName());
  }
}
