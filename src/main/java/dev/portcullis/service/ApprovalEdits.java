package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.approval.ApprovalStore.Ballot;
import dev.portcullis.invocation.ArgumentsEdit;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * An approver's edit of a parked call's arguments, made as part of an approval.
 *
 * <p>Security: the edited arguments are validated like the agent's (size, depth, schema) and
 * decided again by the policy before anything is recorded; invalid ones are refused and change
 * nothing. A valid edit is recorded (the call's new arguments with its audit record, which vouches
 * for them from then on) only while the call still has the arguments the approver edited, so votes
 * for earlier arguments stop counting. When the policy in force forbids the edited arguments, the
 * request ends denied, in one transaction with its call's move and record.
 */
public final class ApprovalEdits {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalEdits.class);

  private final ApprovalStore approvals;
  private final ApprovalLookup lookup;
  private final ApprovalSettlement settlement;
  private final AuditEntries entries;
  private final ApprovalSignals signals;
  private final ResumedRoad road;
  private final Clock clock;

  public ApprovalEdits(
      ApprovalStore approvals,
      ApprovalLookup lookup,
      ApprovalSettlement settlement,
      AuditEntries entries,
      ApprovalSignals signals,
      ResumedRoad road,
      Clock clock) {
    this.approvals = approvals;
    this.lookup = lookup;
    this.settlement = settlement;
    this.entries = entries;
    this.signals = signals;
    this.road = road;
    this.clock = clock;
  }

  /** What an edit did. */
  sealed interface Edited {
    /** The call now has {@code call}'s arguments, whose digest is {@code digest}. */
    record Applied(Invocation call, String digest) implements Edited {}

    /** The policy forbids the edited arguments: the request ended denied. */
    record Denied(Outcome.Denied outcome) implements Edited {}
  }

  /**
   * Edits stored call {@code s} of request {@code r} to {@code arguments} (with {@code digest}), by
   * {@code approver}.
   */
  Edited edit(
      ApprovalRequest r, StoredInvocation s, JsonNode arguments, String digest, String approver)
      throws ApprovalRefusal {
    Invocation proposed = s.current().withArguments(arguments);
    Decision decision = check(r.approvalId(), proposed);
    record(r, s, new ArgumentsEdit(arguments, digest, approver, clock.instant()));
    if (decision.effect() == Effect.DENY) {
      return new Edited.Denied(deny(r, proposed.withDecision(decision), approver));
    }
    return new Edited.Applied(proposed, digest);
  }

  /**
   * The policy's decision on edited arguments, refusing (changing nothing) arguments that are not
   * valid.
   */
  private Decision check(String approvalId, Invocation proposed) throws ApprovalRefusal {
    Outcome.Denied invalid = road.validate().checkArguments(proposed);
    if (invalid != null) {
      throw new ApprovalRefusal(
          ApprovalRefusal.Kind.INVALID_EDIT,
          "the edited arguments are not valid for tool '"
              + proposed.toolName()
              + "': "
              + String.join("; ", invalid.reasons())
              + "; approval "
              + approvalId
              + " is unchanged",
          invalid.reasons());
    }
    return road.policy().decide(proposed);
  }

  private void record(ApprovalRequest r, StoredInvocation s, ArgumentsEdit edit)
      throws ApprovalRefusal {
    Transition t =
        Transition.edit(
            s.current(),
            edit,
            entries.event(
                s.current().withArguments(edit.arguments()),
                InvocationState.AWAITING_APPROVAL,
                List.of(
                    new AuditReason.Approval(r.approvalId()),
                    new AuditReason.EditedBy(edit.editedBy()),
                    new AuditReason.EditedFrom(s.currentDigest()),
                    new AuditReason.EditedTo(edit.digest()))));
    Ballot.Kind done;
    try {
      done = approvals.edit(r.approvalId(), s.currentDigest(), t);
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
    switch (done) {
      case STALE -> throw ApprovalRefusal.argumentsChanged(r.approvalId(), s);
      case NOT_PENDING -> throw lookup.decidedElsewhere(r.approvalId());
      default -> {}
    }
    LOG.info(
        "approval {}: {} edited the arguments of invocation {}",
        r.approvalId(),
        edit.editedBy(),
        r.invocationId());
  }

  /** Ends the request denied: the policy in force forbids the arguments an approver edited in. */
  private Outcome.Denied deny(ApprovalRequest r, Invocation call, String approver)
      throws ApprovalRefusal {
    Decision d = call.decision();
    String detail =
        "the policy in force forbids the arguments approver "
            + approver
            + " edited in: "
            + d.reason();
    List<AuditReason> events = new ArrayList<>();
    d.ruleIds().forEach(rule -> events.add(new AuditReason.Other(rule)));
    events.add(new AuditReason.Approval(r.approvalId()));
    settlement.decide(
        r,
        ApprovalStatus.DENIED,
        approver,
        detail,
        settlement.refuse(call, InvocationState.DENIED, DenialKind.POLICY, detail, events));
    signals.decided(call.invocationId());
    return new Outcome.Denied(call, DenialKind.POLICY, detail, d.ruleIds());
  }
}
