package dev.portcullis.pipeline;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalSettings;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parks calls that need a human decision and passes allowed calls on. A {@code require_approval}
 * call ends here, awaiting approval: an approval request (with its deadline) is recorded, and the
 * state stage keeps the call AWAITING_APPROVAL with its exact arguments until a person decides
 * (see {@link Approvals}). The request records how many distinct approvers the tool needs (the
 * quorum in force now; a later configuration change does not alter a parked request). Fails the
 * call when the request cannot be recorded: never a silent allow.
 * Approvers are notified once the parked call is in the audit log ({@link ParkedNotices}).
 */
public final class ApprovalStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalStage.class);

  private final ApprovalStore approvals;
  private final Clock clock;
  private final ApprovalSettings settings;

  public ApprovalStage(ApprovalStore approvals, Clock clock, ApprovalSettings settings) {
    this.approvals = approvals;
    this.clock = clock;
    this.settings = settings;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    if (invocation.decision() == null || invocation.decision().effect() != Effect.REQUIRE_APPROVAL) {
      return chain.proceed(invocation);
    }
    Instant now = clock.instant();
    ApprovalRequest request = ApprovalRequest.pending(UUID.randomUUID().toString(), invocation.invocationId(), now,
        now.plus(settings.timeout()), settings.requiredApprovals(invocation.toolName()));
    try {
      approvals.create(request);
    } catch (StoreException e) {
      LOG.error("approval store unavailable; not parking invocation {}", invocation.invocationId(), e);
      return new Outcome.Failed(invocation, FailureKind.STORE_UNAVAILABLE,
          "the call needs a human approval, which cannot be requested now; nothing was executed, retry later");
    }
    return new Outcome.AwaitingApproval(invocation, request.approvalId());
  }
}
