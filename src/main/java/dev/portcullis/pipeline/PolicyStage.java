package dev.portcullis.pipeline;

import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.policy.PolicyEngine;

/**
 * Asks the policy engine for a decision and stamps it on the invocation. Ends the call denied when
 * the decision is deny; the agent is told the rule ids, never the rules' internals.
 */
public final class PolicyStage implements Stage {
  private final PolicyEngine policy;

  public PolicyStage(PolicyEngine policy) {
    this.policy = policy;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Decision decision = policy.decide(invocation);
    Invocation decided = invocation.withDecision(decision);
    if (decision.effect() == Effect.DENY) {
      return new Outcome.Denied(decided, DenialKind.POLICY, decision.reason(), decision.ruleIds());
    }
    return chain.proceed(decided.movedTo(InvocationState.CHECKED));
  }
}
