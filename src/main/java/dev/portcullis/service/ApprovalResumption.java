package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.pipeline.CommitStage;
import dev.portcullis.pipeline.LedgerStage;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.PolicyStage;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs an approved call's road ({@link Pipeline#resumed}): validated, decided again, committed,
 * executed, filtered and recorded.
 *
 * <p>Concurrency: exactly once. The road's first move out of AWAITING_APPROVAL (to EXECUTING, or to
 * DENIED when the policy in force now refuses it) also decides the request, approved, in the same
 * transaction (a compare-and-set from pending): of two resumptions racing only one runs the call,
 * and the other is refused as decided, nothing having run. A crash before that move leaves the
 * request pending with its quorum, for the next approval or {@link ApprovalFinisher}.
 */
public final class ApprovalResumption {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalResumption.class);

  private final ApprovalStore approvals;
  private final InvocationStore invocations;
  private final Ledger ledger;
  private final AuditEntries entries;
  private final ApprovalLookup lookup;
  private final ApprovalSignals signals;
  private final ResumedRoad road;
  private final Clock clock;
  private final JsonMapper json;

  public ApprovalResumption(
      ApprovalStore approvals,
      InvocationStore invocations,
      Ledger ledger,
      AuditEntries entries,
      ApprovalLookup lookup,
      ApprovalSignals signals,
      ResumedRoad road,
      Clock clock,
      JsonMapper json) {
    this.approvals = approvals;
    this.invocations = invocations;
    this.ledger = ledger;
    this.entries = entries;
    this.lookup = lookup;
    this.signals = signals;
    this.road = road;
    this.clock = clock;
    this.json = json;
  }

  /**
   * Runs {@code call} (request {@code r}'s call, with arguments of {@code digest}), deciding the
   * request approved by {@code by} with {@code reason} at the call's move out of AWAITING_APPROVAL.
   */
  Outcome resume(ApprovalRequest r, Invocation call, String digest, String by, String reason)
      throws ApprovalRefusal {
    List<String> voters = lookup.voters(r.approvalId(), digest);
    LOG.info(
        "approval {} given by {}; resuming invocation {}",
        r.approvalId(),
        voters,
        call.invocationId());
    AtomicBoolean lost = new AtomicBoolean();
    Ledger deciding =
        r.status() != ApprovalStatus.PENDING
            ? ledger
            : t -> {
              if (t.kind() != Transition.Kind.MOVE
                  || t.from() != InvocationState.AWAITING_APPROVAL) {
                return ledger.write(t);
              }
              if (!approvals.decide(
                  r.approvalId(), ApprovalStatus.APPROVED, by, clock.instant(), reason, t)) {
                lost.set(true);
                throw new InvocationStore.StateConflictException(
                    "approval " + r.approvalId() + " was decided elsewhere");
              }
              return new Ledger.Written.Done();
            };
    Pipeline resumed =
        Pipeline.resumed(
            new LedgerStage(deciding, invocations, entries, json, LedgerStage.Parked.NONE),
            road.validate(),
            PolicyStage.approved(road.policy(), r.approvalId(), String.join(" and ", voters)),
            road.filter(),
            new CommitStage(deciding, entries, json),
            road.before(),
            road.execute());
    Outcome outcome;
    try {
      outcome = resumed.run(call);
    } finally {
      signals.decided(call.invocationId());
    }
    if (lost.get()) { // another approver's resumption decided it first; nothing ran here
      throw lookup.decidedElsewhere(r.approvalId());
    }
    return outcome;
  }
}
