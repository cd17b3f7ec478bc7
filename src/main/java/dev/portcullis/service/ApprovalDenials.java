package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import java.util.List;

/**
 * An approver's denial: the request is decided denied and its call ends DENIED with the approver's
 * reason and its audit record, in one transaction. Tenants: a request of none of the approver's
 * tenants is not found, as an unknown id is.
 */
public final class ApprovalDenials {
  private final ApprovalLookup lookup;
  private final ApprovalExpiry expiry;
  private final ApprovalSettlement settlement;
  private final ApprovalSignals signals;

  public ApprovalDenials(
      ApprovalLookup lookup,
      ApprovalExpiry expiry,
      ApprovalSettlement settlement,
      ApprovalSignals signals) {
    this.lookup = lookup;
    this.expiry = expiry;
    this.settlement = settlement;
    this.signals = signals;
  }

  /**
   * Denies the request (one of {@code operator}'s tenants): its call ends DENIED with the
   * approver's reason.
   */
  public Outcome deny(String approvalId, OperatorRef operator, String reason)
      throws ApprovalRefusal {
    ApprovalRequest r = expiry.pendingNow(lookup.visible(approvalId, operator));
    return endDenied(r, lookup.stored(r), operator.id(), reason);
  }

  /**
   * Denies request {@code r} (unless it is already) and ends its call DENIED, with its record, in
   * one transaction.
   */
  Outcome endDenied(ApprovalRequest r, StoredInvocation s, String approver, String reason)
      throws ApprovalRefusal {
    List<AuditReason> events =
        List.of(new AuditReason.Approval(r.approvalId()), new AuditReason.DeniedBy(approver));
    String detail = "approver " + approver + " denied this call: " + reason;
    settlement.decide(
        r,
        ApprovalStatus.DENIED,
        approver,
        reason,
        settlement.refuse(
            s.current(), InvocationState.DENIED, DenialKind.APPROVAL_DENIED, detail, events));
    signals.decided(s.invocationId());
    return new Outcome.Denied(
        s.current(), DenialKind.APPROVAL_DENIED, detail, AuditReason.wire(events));
  }
}
