package dev.portcullis.policy;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The first policy form: grants of tools to agents, each with an optional CEL condition.
 *
 * <p>Semantics (one table, written once):
 *
 * <pre>
 *   grants that cover the call   | condition            | effect
 *   ------------------------------+----------------------+--------------------------------
 *   none                          | -                    | DENY  (default-deny)
 *   some                          | none true, no errors | DENY  (default-deny)
 *   some                          | some error, none true| DENY  (default-deny + errors)
 *   some                          | at least one true    | ALLOW (ids of every grant that held)
 * </pre>
 *
 * A condition that errors never allows: its grant is skipped and the error recorded.
 *
 * <p>Concurrency: immutable after construction; grants are indexed by agent at load.
 */
public final class GrantPolicy implements PolicyEngine {
  private final Map<String, List<Grant>> byAgent;
  private final String version;

  public GrantPolicy(List<Grant> grants, String version) {
    this.byAgent =
        grants.stream()
            .flatMap(g -> g.agents().stream().map(a -> Map.entry(a, g)))
            .collect(
                Collectors.groupingBy(
                    Map.Entry::getKey,
                    Collectors.mapping(Map.Entry::getValue, Collectors.toUnmodifiableList())));
    this.version = version;
  }

  @Override
  public Decision decide(Invocation invocation) {
    List<String> held = new ArrayList<>(2);
    List<String> errors = new ArrayList<>(0);
    Map<String, Object> facts = null;
    for (Grant grant : byAgent.getOrDefault(invocation.agent().id(), List.of())) {
      if (!grant.covers(invocation.agent().id(), invocation.toolName())) {
        continue;
      }
      if (grant.condition().isEmpty()) {
        held.add(grant.id());
        continue;
      }
      if (facts == null) {
        facts = PolicyFacts.of(invocation);
      }
      try {
        if (grant.condition().get().test(facts)) {
          held.add(grant.id());
        }
      } catch (Condition.ConditionException e) {
        errors.add(grant.id() + ": " + e.getMessage());
      }
    }
    if (held.isEmpty()) {
      return new Decision(Effect.DENY, List.of(Decision.DEFAULT_DENY), errors, version);
    }
    return new Decision(Effect.ALLOW, held, errors, version);
  }

  @Override
  public boolean mayCall(AgentRef agent, String toolName) {
    return byAgent.getOrDefault(agent.id(), List.of()).stream()
        .anyMatch(g -> g.covers(agent.id(), toolName));
  }

  @Override
  public String version() {
    return version;
  }
}
