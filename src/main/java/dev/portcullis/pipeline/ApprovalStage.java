package dev.portcullis.pipeline;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalSettings;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parks calls that need a human decision and passes allowed calls on. A {@code require_approval}
 * call ends here, awaiting approval, in one transaction: its approval request (with its deadline
 * and the quorum in force now; a later configuration change does not alter a parked request), its
 * row AWAITING_APPROVAL with its exact arguments (claiming its idempotency key), and its audit
 * record. A person then decides ({@link Approvals}). Fails the call when that cannot be written:
 * never a silent allow. Approvers are notified once it is written ({@link ParkedNotices}).
 */
public final class ApprovalStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalStage.class);

  private final ApprovalStore approvals;
  private final AuditEntries entries;
  private final Clock clock;
  private final ApprovalSettings settings;
  private final KeyHolders keys;

  public ApprovalStage(
      ApprovalStore approvals,
      AuditEntries entries,
      Clock clock,
      ApprovalSettings settings,
      JsonMapper json) {
    this.approvals = approvals;
    this.entries = entries;
    this.clock = clock;
    this.settings = settings;
    this.keys = new KeyHolders(json);
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    if (invocation.decision() == null
        || invocation.decision().effect() != Effect.REQUIRE_APPROVAL) {
      return chain.proceed(invocation);
    }
    Instant now = clock.instant();
    ApprovalRequest request =
        ApprovalRequest.pending(
            UUID.randomUUID().toString(),
            invocation.invocationId(),
            now,
            now.plus(settings.timeout()),
            settings.requiredApprovals(invocation.toolName()));
    Outcome.AwaitingApproval parked =
        new Outcome.AwaitingApproval(invocation, request.approvalId());
    AuditEntry record = entries.terminal(parked);
    Transition t =
        Transition.open(
            invocation,
            record.argumentsDigest(),
            invocation.idempotencyKey() != null,
            List.of(InvocationState.CHECKED, InvocationState.AWAITING_APPROVAL),
            null,
            record);
    try {
      if (approvals.park(request, t) instanceof Ledger.Written.KeyHeld(StoredInvocation holder)) {
        return keys.answer(invocation, holder);
      }
    } catch (StoreException e) {
      LOG.error("ledger unavailable; not parking invocation {}", invocation.invocationId(), e);
      return new Outcome.Failed(
          invocation,
          FailureKind.STORE_UNAVAILABLE,
          "the call needs a human approval, which cannot be requested now; nothing was executed, retry later");
    }
    return new Outcome.AwaitingApproval(
        invocation.movedTo(InvocationState.AWAITING_APPROVAL), request.approvalId());
  }
}
