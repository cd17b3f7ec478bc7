package dev.portcullis.pipeline;

import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.policy.PolicyEngine;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides an approved call again with the policy in force now, and ends it denied when that policy
 * forbids it. A call the policy still sends for approval is allowed: the people's approval of this
 * exact stored call (with an approver's edited arguments, if any) is that approval, and its id
 * joins the decision's reasons.
 */
final class RedecideStage implements Stage {
  private final PolicyEngine policy;
  private final String approvalId;
  private final String approvers;

  /** {@code approvers}: who approved, as people read it ({@code ops-olivia and ops-omar}). */
  RedecideStage(PolicyEngine policy, String approvalId, String approvers) {
    this.policy = policy;
    this.approvalId = approvalId;
    this.approvers = approvers;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Decision d = policy.decide(invocation);
    if (d.effect() == Effect.DENY) {
      Invocation decided = invocation.withDecision(d);
      return new Outcome.Denied(decided, DenialKind.POLICY,
          "the policy in force now refuses this approved call: " + d.reason(), d.ruleIds());
    }
    if (d.effect() == Effect.REQUIRE_APPROVAL) {
      List<String> rules = new ArrayList<>(d.ruleIds());
      rules.add("approval:" + approvalId);
      d = new Decision(Effect.ALLOW, rules, "approved by " + approvers, d.errors(), d.shadows(), d.policyVersion());
    }
    return chain.proceed(invocation.withDecision(d));
  }
}
