package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.StoredInvocation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes the parked calls whose approvers gave the quorum but whose road never ran: the gateway
 * stopped, or the ledger failed, between the last vote and the call's move (which decides the
 * request in the same transaction, so the request is still pending). Also the calls a gateway from
 * before the ledger left parked under a decided request. Without this such a call would await
 * approval until its deadline. {@code serve} runs it with the approval sweep.
 *
 * <p>Concurrency: an approved call runs once ({@link ApprovalResumption} decides the request at its
 * move); the calls being finished on this node are held in a set, so two sweeps never finish one
 * twice here.
 */
public final class ApprovalFinisher {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalFinisher.class);

  private final ApprovalStore approvals;
  private final InvocationStore invocations;
  private final ApprovalLookup lookup;
  private final StoredCallCheck check;
  private final ApprovalResumption resumption;
  private final ApprovalDenials denials;
  private final ApprovalExpiry expiry;
  private final ParkedCancellations cancellations;
  private final Clock clock;

  /** Calls {@link #finishDecided} is finishing on this node. */
  private final Set<String> finishing = ConcurrentHashMap.newKeySet();

  public ApprovalFinisher(
      ApprovalStore approvals,
      InvocationStore invocations,
      ApprovalLookup lookup,
      StoredCallCheck check,
      ApprovalResumption resumption,
      ApprovalDenials denials,
      ApprovalExpiry expiry,
      ParkedCancellations cancellations,
      Clock clock) {
    this.approvals = approvals;
    this.invocations = invocations;
    this.lookup = lookup;
    this.check = check;
    this.resumption = resumption;
    this.denials = denials;
    this.expiry = expiry;
    this.cancellations = cancellations;
    this.clock = clock;
  }

  /**
   * Finishes every such call: an approved one runs now, once, exactly as approved (after the same
   * tamper check an approval makes); a denied or expired one ends so. Only votes and decisions
   * older than {@code grace} are taken, so an approval whose own approver is still resuming its
   * call is left to it. Returns how many calls it finished.
   */
  public int finishDecided(Duration grace) throws ApprovalRefusal {
    Instant before = clock.instant().minus(grace);
    int finished = 0;
    List<StoredInvocation> parked;
    try {
      parked = invocations.inState(InvocationState.AWAITING_APPROVAL);
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
    for (StoredInvocation s : parked) {
      ApprovalRequest r;
      try {
        r = approvals.forInvocation(s.invocationId()).orElse(null);
      } catch (StoreException e) {
        throw ApprovalRefusal.unavailable(e);
      }
      ApprovalVote last =
          r == null || r.status() != ApprovalStatus.PENDING ? null : lookup.quorum(r, s);
      Instant decidedAt = last != null ? last.at() : r == null ? null : r.decidedAt();
      if (r == null
          || (r.status() == ApprovalStatus.PENDING && last == null)
          || decidedAt == null
          || decidedAt.isAfter(before)
          || !finishing.add(s.invocationId())) {
        continue;
      }
      try {
        LOG.warn(
            "approval {} was {} at {} but invocation {} still awaited approval (the gateway stopped or a store"
                + " failed in between); finishing it now",
            r.approvalId(),
            last != null ? "given its quorum" : r.status().wireName(),
            decidedAt,
            s.invocationId());
        switch (r.status()) {
          case PENDING, APPROVED -> {
            check.matchesAudit(r, s);
            resumption.resume(
                r,
                s.current(),
                s.currentDigest(),
                last != null ? last.approver() : r.decidedBy(),
                last != null ? last.reason() : r.reason());
          }
          case DENIED ->
              denials.endDenied(r, s, r.decidedBy(), r.reason() == null ? "" : r.reason());
          case EXPIRED -> expiry.endExpired(r, s);
          case CANCELLED -> cancellations.endCancelled(r, s, r.decidedBy());
        }
        finished++;
      } finally {
        finishing.remove(s.invocationId());
      }
    }
    return finished;
  }
}
