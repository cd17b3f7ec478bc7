package dev.portcullis.pipeline;

import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import java.util.List;

/**
 * Will park calls that need a human decision. Until approvals exist it passes allowed calls on and
 * ends any call that requires approval as denied: fail closed, never a silent allow.
 */
public final class ApprovalStage implements Stage {
  /** The reason recorded when a call needs an approval that cannot be given yet. */
  public static final String APPROVALS_UNAVAILABLE = "approval-unavailable";

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    if (invocation.decision() != null && invocation.decision().effect() == Effect.REQUIRE_APPROVAL) {
      return new Outcome.Denied(
          invocation,
          DenialKind.POLICY,
          "tool '" + invocation.toolName() + "' requires a human approval, which this gateway cannot take yet",
          List.of(APPROVALS_UNAVAILABLE));
    }
    return chain.proceed(invocation);
  }
}
