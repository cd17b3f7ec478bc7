package dev.portcullis.invocation;

import java.util.List;
import java.util.Objects;

/**
 * A policy decision as a value: the effect, the ids of the rules that produced it, the errors of
 * rules that were skipped, and the version of the policy set that decided.
 */
public record Decision(Effect effect, List<String> ruleIds, List<String> errors, String policyVersion) {
  /** The rule id stamped on a decision that no rule allowed. */
  public static final String DEFAULT_DENY = "default-deny";

  public Decision {
    Objects.requireNonNull(effect, "effect");
    ruleIds = List.copyOf(ruleIds);
    errors = List.copyOf(errors);
    Objects.requireNonNull(policyVersion, "policyVersion");
  }

  public boolean allows() {
    return effect == Effect.ALLOW;
  }
}
