package dev.portcullis.policy;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.UserRef;
import java.time.Instant;
import java.util.Objects;

/**
 * The policy engine of a running gateway: one compiled policy set behind a volatile reference, so a
 * reload replaces the whole set at once.
 *
 * <p>Concurrency: each call reads the reference once and decides entirely on that snapshot, so no
 * decision ever mixes two versions; {@link #swap} never blocks a call.
 */
public final class SwappablePolicy implements PolicyEngine {
  private volatile CompiledPolicy current;

  public SwappablePolicy(CompiledPolicy initial) {
    this.current = Objects.requireNonNull(initial);
  }

  /** Puts {@code next} in force for every call that starts after this returns. */
  public void swap(CompiledPolicy next) {
    this.current = Objects.requireNonNull(next);
  }

  public CompiledPolicy current() {
    return current;
  }

  @Override
  public Decision decide(Invocation invocation) {
    return RuleEvaluator.decide(current, invocation);
  }

  @Override
  public boolean mayCall(AgentRef agent, UserRef user, String toolName) {
    CompiledPolicy snapshot = current;
    Invocation probe =
        Invocation.received(
            "probe",
            "0".repeat(32),
            null,
            null,
            agent,
            user,
            null,
            "list",
            toolName,
            tools.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
            java.util.Map.of(),
            Instant.EPOCH);
    boolean userPresent = user != null && user.verified();
    boolean agentSide = false;
    boolean userSide = false;
    for (Rule r : snapshot.rulesFor(toolName)) {
      if (r.mode() != RuleMode.ENFORCE || !r.target().matchesPrincipals(probe)) {
        continue;
      }
      if (r.effect() == RuleEffect.FORBID && r.condition().isEmpty()) {
        return false;
      }
      if (r.effect() == RuleEffect.PERMIT) {
        agentSide |= r.target().speaksForAgent();
        userSide |= r.target().speaksForUser();
      }
    }
    return agentSide && (!userPresent || userSide);
  }

  @Override
  public String version() {
    return current.version();
  }
}
