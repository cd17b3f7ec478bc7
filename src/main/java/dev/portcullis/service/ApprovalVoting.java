package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.approval.ApprovalStore.Ballot;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * An approver's approval: a vote, with its audit record, for the exact arguments the call has
 * (after the approver's edit, when the consent carries one); the vote completing the quorum resumes
 * the call ({@link ApprovalResumption}).
 *
 * <p>Security: an approval authorises only the stored call: its arguments, agent and user come from
 * the invocation store, never from the approver's request, unless an approver edits the arguments
 * ({@link ApprovalEdits}). Votes count only for the arguments they approved: after an edit, earlier
 * votes no longer count and the editor's vote counts for the new arguments. Before any vote the
 * stored call is checked against its audit records ({@link StoredCallCheck}). Four-eyes: the user a
 * call was made for cannot vote on it. Tenants: a request of none of the approver's tenants is not
 * found, as an unknown id is.
 *
 * <p>Concurrency: a request needs {@code required} distinct approvers; the store records each vote
 * with its audit record in one transaction, and answers which vote reached the quorum.
 */
public final class ApprovalVoting {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalVoting.class);

  private final ApprovalStore approvals;
  private final ApprovalLookup lookup;
  private final ApprovalExpiry expiry;
  private final StoredCallCheck check;
  private final ApprovalEdits edits;
  private final ApprovalResumption resumption;
  private final AuditEntries entries;
  private final Clock clock;
  private final JsonMapper json;

  public ApprovalVoting(
      ApprovalStore approvals,
      ApprovalLookup lookup,
      ApprovalExpiry expiry,
      StoredCallCheck check,
      ApprovalEdits edits,
      ApprovalResumption resumption,
      AuditEntries entries,
      Clock clock,
      JsonMapper json) {
    this.approvals = approvals;
    this.lookup = lookup;
    this.expiry = expiry;
    this.check = check;
    this.edits = edits;
    this.resumption = resumption;
    this.entries = entries;
    this.clock = clock;
    this.json = json;
  }

  /**
   * Records {@code operator}'s approval, after editing the call's arguments when {@code consent}
   * carries some. When the request then has all the approvals it needs, runs the rest of the road
   * for its stored call: re-validated, re-decided, committed, executed, filtered and audited.
   */
  public ApprovalResult approve(String approvalId, OperatorRef operator, ApprovalConsent consent)
      throws ApprovalRefusal {
    String approver = operator.id();
    ApprovalRequest r = expiry.pendingNow(lookup.visible(approvalId, operator));
    StoredInvocation s = lookup.stored(r);
    if (s.invocation().user() != null && s.invocation().user().id().equals(approver)) {
      throw new ApprovalRefusal(
          ApprovalRefusal.Kind.FOUR_EYES,
          "approver "
              + approver
              + " is the user this call was made for;"
              + " another approver must decide it");
    }
    String digest = s.currentDigest();
    if (consent.argumentsDigest() != null && !consent.argumentsDigest().equals(digest)) {
      throw ApprovalRefusal.argumentsChanged(approvalId, s);
    }
    check.matchesAudit(r, s);
    Invocation call = s.current();
    boolean edited = false;
    if (consent.arguments() != null) {
      String editedDigest = AuditEntries.digest(json, consent.arguments());
      if (!editedDigest.equals(digest)) {
        switch (edits.edit(r, s, consent.arguments(), editedDigest, approver)) {
          case ApprovalEdits.Edited.Denied d -> {
            return new ApprovalResult.Ended(ApprovalStatus.DENIED.wireName(), d.outcome());
          }
          case ApprovalEdits.Edited.Applied a -> {
            call = a.call();
            digest = a.digest();
            edited = true;
          }
        }
      }
    }
    Invocation voted = call;
    List<String> approvers = new ArrayList<>(lookup.voters(approvalId, digest));
    approvers.add(approver);
    Ballot ballot =
        vote(
            new ApprovalVote(approvalId, approver, digest, clock.instant(), consent.reason()),
            b ->
                Transition.note(
                    entries.event(
                        voted,
                        InvocationState.AWAITING_APPROVAL,
                        voteEvents(r, b, approver, approvers))));
    switch (ballot.kind()) {
      case RECORDED -> {
        LOG.info(
            "approval {}: {} approved ({} of {})",
            approvalId,
            approver,
            ballot.votes(),
            r.required());
        return new ApprovalResult.Voted(lookup.view(lookup.find(approvalId)));
      }
      case ALREADY_VOTED -> {
        if (edited) { // edited back to arguments this approver had approved: that vote counts again
          return new ApprovalResult.Voted(lookup.view(lookup.find(approvalId)));
        }
        throw new ApprovalRefusal(
            ApprovalRefusal.Kind.ALREADY_VOTED,
            "approver "
                + approver
                + " has already approved these"
                + " arguments; "
                + (r.required() - lookup.voters(approvalId, digest).size())
                + " other approver(s) must approve them");
      }
      case STALE -> throw ApprovalRefusal.argumentsChanged(approvalId, s);
      case NOT_PENDING -> throw lookup.decidedElsewhere(approvalId);
      case QUORUM, AWAITS_RESUMPTION -> {
        return new ApprovalResult.Ended(
            ApprovalStatus.APPROVED.wireName(),
            resumption.resume(r, call, digest, approver, consent.reason()));
      }
    }
    throw new IllegalStateException("unknown ballot " + ballot.kind());
  }

  /**
   * What a vote's record says: who voted and how far the request is ({@code voted-by}, {@code
   * votes:N/M}); the vote that completes the quorum names every approver ({@code approved-by}).
   */
  private static List<AuditReason> voteEvents(
      ApprovalRequest r, Ballot b, String approver, List<String> approvers) {
    List<AuditReason> events = new ArrayList<>();
    events.add(new AuditReason.Approval(r.approvalId()));
    if (b.kind() == Ballot.Kind.QUORUM) {
      approvers.forEach(a -> events.add(new AuditReason.ApprovedBy(a)));
      if (r.required() > 1) {
        events.add(new AuditReason.Votes(b.votes(), r.required()));
      }
    } else {
      events.add(new AuditReason.VotedBy(approver));
      events.add(new AuditReason.Votes(b.votes(), r.required()));
    }
    return events;
  }

  private Ballot vote(ApprovalVote v, java.util.function.Function<Ballot, Transition> record)
      throws ApprovalRefusal {
    try {
      return approvals.vote(v, record);
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
  }
}
