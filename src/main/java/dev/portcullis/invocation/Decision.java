package dev.portcullis.invocation;

import java.util.List;
import java.util.Objects;

/**
 * A policy decision as a value: the effect, the ids of the rules that produced it, a reason safe to
 * show the agent (rule ids and descriptions, no internals), the errors of rules that were skipped,
 * the log-only rules' would-be decisions, and the version of the policy set that decided.
 */
public record Decision(
    Effect effect,
    List<String> ruleIds,
    String reason,
    List<String> errors,
    List<ShadowDecision> shadows,
    String policyVersion) {

  /** The rule id stamped on a decision that no rule allowed. */
  public static final String DEFAULT_DENY = "default-deny";

  public Decision {
    Objects.requireNonNull(effect, "effect");
    ruleIds = List.copyOf(ruleIds);
    Objects.requireNonNull(reason, "reason");
    errors = List.copyOf(errors);
    shadows = List.copyOf(shadows);
    Objects.requireNonNull(policyVersion, "policyVersion");
  }

  public boolean allows() {
    return effect == Effect.ALLOW;
  }
}
