package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the approval services decide: a request's decision with its call's move and that
 * move's audit record, in one transaction, and records that move no call.
 *
 * <p>Concurrency: a decision is a compare-and-set from pending ({@link ApprovalStore#decide}); of
 * two deciders exactly one wins, and the loser writes nothing, record included.
 */
public final class ApprovalSettlement {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalSettlement.class);

  private final ApprovalStore approvals;
  private final Ledger ledger;
  private final ApprovalLookup lookup;
  private final AuditEntries entries;
  private final Clock clock;

  public ApprovalSettlement(
      ApprovalStore approvals,
      Ledger ledger,
      ApprovalLookup lookup,
      AuditEntries entries,
      Clock clock) {
    this.approvals = approvals;
    this.entries = entries;
    this.ledger = ledger;
    this.lookup = lookup;
    this.clock = clock;
  }

  /**
   * The move of parked call {@code call} to {@code to} (DENIED, EXPIRED or CANCELLED), ending with
   * a refusal of {@code kind} saying {@code detail}, and its record naming {@code events}.
   */
  Transition refuse(
      Invocation call,
      InvocationState to,
      DenialKind kind,
      String detail,
      List<? extends AuditReason> events) {
    Ending ending = Ending.of(new Outcome.Denied(call, kind, detail, AuditReason.wire(events)));
    return Transition.move(
        call,
        InvocationState.AWAITING_APPROVAL,
        List.of(to),
        ending,
        entries.event(call, to, events, ending.kind(), detail));
  }

  /** {@link #settle}, refusing when someone else decided the request first. */
  void decide(ApprovalRequest r, ApprovalStatus to, String by, String reason, Transition then)
      throws ApprovalRefusal {
    if (!settle(r, to, by, reason, then)) {
      throw lookup.decidedElsewhere(r.approvalId());
    }
  }

  /**
   * Decides pending request {@code r} and writes {@code then} (its call's move) in one transaction;
   * false when it is not pending. A request decided already (by a gateway before the ledger, whose
   * call was left parked) only has its call moved.
   */
  boolean settle(ApprovalRequest r, ApprovalStatus to, String by, String reason, Transition then)
      throws ApprovalRefusal {
    try {
      if (r.status() != ApprovalStatus.PENDING) {
        ledger.write(then);
        return true;
      }
      return approvals.decide(r.approvalId(), to, by, clock.instant(), reason, then);
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
  }

  /** Writes {@code entry}, a record that moves no call. */
  void note(AuditEntry entry) throws ApprovalRefusal {
    try {
      ledger.write(Transition.note(entry));
    } catch (StoreException e) {
      LOG.error("ledger unavailable while recording an approval event", e);
      throw new ApprovalRefusal(
          ApprovalRefusal.Kind.UNAVAILABLE,
          "the audit log cannot be written; retry later or ask an operator");
    }
  }
}
