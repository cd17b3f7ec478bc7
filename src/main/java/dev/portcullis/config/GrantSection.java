package dev.portcullis.config;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.policy.CelConditions;
import dev.portcullis.policy.Condition;
import dev.portcullis.policy.Grant;
import dev.portcullis.policy.ToolPattern;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code grants}: which agents may call which tools, and when. Every agent and tool a grant
 * names must exist, and every condition must compile, or the load fails.
 */
final class GrantSection {
  private final ConfigReader r;
  private final Set<String> agentIds;
  private final List<CatalogEntry> tools;
  private final CelConditions cel = new CelConditions();

  GrantSection(ConfigReader r, Set<String> agentIds, List<CatalogEntry> tools) {
    this.r = r;
    this.agentIds = agentIds;
    this.tools = tools;
  }

  List<Grant> read() {
    List<Grant> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int n = r.list("/grants", false);
    for (int i = 0; i < n; i++) {
      String p = "/grants/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      r.onlyKeys(p, Set.of("id", "description", "agents", "tools", "when"));
      Optional<String> id = r.matching(p + "/id", true, ConfigLoader.ID, ConfigLoader.ID_RULE);
      id.filter(v -> !ids.add(v)).ifPresent(v -> r.problem(p + "/id", "grant '" + v + "' is defined twice"));
      String description = r.string(p + "/description", "");
      List<String> agents = r.strings(p + "/agents", true);
      for (int a = 0; a < agents.size(); a++) {
        if (!agentIds.contains(agents.get(a))) {
          r.problem(p + "/agents/" + a, "no agent named '" + agents.get(a) + "' is defined");
        }
      }
      List<ToolPattern> patterns = new ArrayList<>();
      List<String> toolTexts = r.strings(p + "/tools", true);
      for (int t = 0; t < toolTexts.size(); t++) {
        ToolPattern pattern = ToolPattern.compile(toolTexts.get(t));
        if (tools.stream().noneMatch(e -> pattern.matches(e.tool().name()))) {
          r.problem(
              p + "/tools/" + t,
              pattern.isGlob()
                  ? "'" + pattern + "' matches no defined tool"
                  : "no tool named '" + pattern + "' is defined");
        }
        patterns.add(pattern);
      }
      Optional<Condition> condition = r.string(p + "/when", false).flatMap(expr -> {
        try {
          return Optional.of(cel.compile(expr));
        } catch (IllegalArgumentException e) {
          r.problem(p + "/when", "does not compile: " + e.getMessage().strip());
          return Optional.empty();
        }
      });
      id.ifPresent(v -> out.add(new Grant(v, description, agents, patterns, condition)));
    }
    return out;
  }
}
