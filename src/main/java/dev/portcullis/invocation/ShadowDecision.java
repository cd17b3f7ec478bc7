package dev.portcullis.invocation;

import java.util.Objects;

/**
 * What a log-only rule would have made of a call had it been enforced, and whether that differs
 * from the decision actually enforced. Recorded, never enforced.
 */
public record ShadowDecision(String ruleId, Effect wouldBe, boolean flips) {
  public ShadowDecision {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(wouldBe, "wouldBe");
  }
}
