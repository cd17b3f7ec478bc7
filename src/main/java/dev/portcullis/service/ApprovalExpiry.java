package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approval sweeper: expires the pending requests past their deadline, each with its call's move
 * to EXPIRED and its audit record in one transaction. The one class that expires a request: {@code
 * serve} runs {@link #sweep} on a timer, and an approver's vote or denial that finds its request
 * overdue has it expired here before refusing ({@link #pendingNow}). A listing never expires
 * anything; it shows an overdue request as {@link #asOf} reads it.
 */
public final class ApprovalExpiry {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalExpiry.class);

  /** Who expires a request: no person did. */
  public static final String DEADLINE = "deadline";

  /** Why the deadline expired a request. */
  private static final String EXPIRED_REASON = "no approver decided in time";

  private final ApprovalStore approvals;
  private final ApprovalLookup lookup;
  private final ApprovalSettlement settlement;
  private final ApprovalSignals signals;
  private final Clock clock;

  public ApprovalExpiry(
      ApprovalStore approvals,
      ApprovalLookup lookup,
      ApprovalSettlement settlement,
      ApprovalSignals signals,
      Clock clock) {
    this.approvals = approvals;
    this.lookup = lookup;
    this.settlement = settlement;
    this.signals = signals;
    this.clock = clock;
  }

  /**
   * {@code r} as it stands at {@code now}, without writing: overdue and pending reads as expired by
   * the deadline, as the sweep will record it.
   */
  static ApprovalRequest asOf(ApprovalRequest r, Instant now) {
    return r.asOf(now, DEADLINE, EXPIRED_REASON);
  }

  /** Expires every pending request past its deadline; returns how many. */
  public int sweep() throws ApprovalRefusal {
    Instant now = clock.instant();
    int expired = 0;
    try {
      for (ApprovalRequest r : approvals.inStatus(ApprovalStatus.PENDING)) {
        if (r.pastDeadline(now) && expire(r)) {
          expired++;
        }
      }
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
    return expired;
  }

  /**
   * Request {@code found} if it may still be decided; an overdue one is expired first (so the
   * approver who found it late leaves it recorded expired), and anything not pending is refused.
   */
  ApprovalRequest pendingNow(ApprovalRequest found) throws ApprovalRefusal {
    ApprovalRequest r = found;
    if (r.status() == ApprovalStatus.PENDING && r.pastDeadline(clock.instant())) {
      expire(r);
      r = lookup.find(found.approvalId());
    }
    ApprovalLookup.refuseDecided(r);
    return r;
  }

  private boolean expire(ApprovalRequest r) throws ApprovalRefusal {
    if (!endExpired(r, lookup.stored(r))) {
      return false;
    }
    LOG.info("approval {} expired; invocation {} not executed", r.approvalId(), r.invocationId());
    return true;
  }

  /**
   * Expires request {@code r} (unless it is already) and ends its call EXPIRED, with its record, in
   * one transaction; false, changing nothing, when someone decided it first.
   */
  boolean endExpired(ApprovalRequest r, StoredInvocation s) throws ApprovalRefusal {
    String detail =
        "no approver decided before the deadline "
            + r.deadline()
            + "; the call was not executed. To try again, make the call again with a new idempotency key";
    Transition t =
        settlement.refuse(
            s.current(),
            InvocationState.EXPIRED,
            DenialKind.APPROVAL_EXPIRED,
            detail,
            List.of(new AuditReason.Approval(r.approvalId())));
    boolean won = settlement.settle(r, ApprovalStatus.EXPIRED, DEADLINE, EXPIRED_REASON, t);
    if (won) {
      signals.decided(s.invocationId());
    }
    return won;
  }
}
