package dev.portcullis.pipeline;

import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.policy.PolicyEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Asks the policy engine for a decision and stamps it on the invocation. Ends the call denied when
 * the decision is deny; the agent is told the rule ids, never the rules' internals.
 *
 * <p>On a resumed road ({@link #approved}) the call is one people approved: it is decided again by
 * the policy in force now, and a decision that still sends it for approval is allowed, the people's
 * approval of this exact stored call being that approval (its id joins the decision's reasons). A
 * call the policy now forbids ends denied all the same.
 */
public final class PolicyStage implements Stage {
  private final PolicyEngine policy;

  /** The approval a resumed call carries, or null on the standard road. */
  private final Grant grant;

  /** The approval request {@code approvalId}, given by {@code approvers} (as people read it). */
  private record Grant(String approvalId, String approvers) {
    Grant {
      Objects.requireNonNull(approvalId, "approvalId");
      Objects.requireNonNull(approvers, "approvers");
    }
  }

  public PolicyStage(PolicyEngine policy) {
    this(policy, null);
  }

  private PolicyStage(PolicyEngine policy, Grant grant) {
    this.policy = policy;
    this.grant = grant;
  }

  /**
   * The policy stage of a call resumed after approval {@code approvalId}, given by {@code
   * approvers} as people read it ({@code ops-olivia and ops-omar}).
   */
  public static PolicyStage approved(PolicyEngine policy, String approvalId, String approvers) {
    return new PolicyStage(policy, new Grant(approvalId, approvers));
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Decision decision = policy.decide(invocation);
    Invocation decided = invocation.withDecision(decision);
    if (decision.effect() == Effect.DENY) {
      String reason =
          grant == null
              ? decision.reason()
              : "the policy in force now refuses this approved call: " + decision.reason();
      return new Outcome.Denied(decided, DenialKind.POLICY, reason, decision.ruleIds());
    }
    if (grant == null) {
      return chain.proceed(decided.movedTo(InvocationState.CHECKED));
    }
    if (decision.effect() == Effect.REQUIRE_APPROVAL) {
      List<String> rules = new ArrayList<>(decision.ruleIds());
      rules.add(new AuditReason.Approval(grant.approvalId()).wire());
      decision =
          new Decision(
              Effect.ALLOW,
              rules,
              "approved by " + grant.approvers(),
              decision.errors(),
              decision.shadows(),
              decision.policyVersion());
    }
    return chain.proceed(invocation.withDecision(decision));
  }
}
