package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.StoredInvocation;
import java.util.List;
import java.util.Optional;

/**
 * Reads approval requests, their calls and their votes for the approval services, turning a store
 * failure or a missing row into the refusal an approver gets. Reads only.
 *
 * <p>Security: {@link #visible} is the one tenant check: a request whose call is of none of the
 * operator's tenants is not found, exactly as an unknown id.
 */
public final class ApprovalLookup {
  private final ApprovalStore approvals;
  private final InvocationStore invocations;

  public ApprovalLookup(ApprovalStore approvals, InvocationStore invocations) {
    this.approvals = approvals;
    this.invocations = invocations;
  }

  ApprovalRequest find(String approvalId) throws ApprovalRefusal {
    try {
      return approvals.find(approvalId).orElseThrow(() -> ApprovalRefusal.notFound(approvalId));
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
  }

  /**
   * Request {@code approvalId} when its call is of one of {@code operator}'s tenants; otherwise not
   * found, with the very refusal an unknown id gets, and before anything (an expiry) changes.
   */
  ApprovalRequest visible(String approvalId, OperatorRef operator) throws ApprovalRefusal {
    ApprovalRequest r = find(approvalId);
    Optional<StoredInvocation> s;
    try {
      s = invocations.find(r.invocationId());
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
    if (s.isEmpty() || !operator.covers(s.get().invocation().tenant())) {
      throw ApprovalRefusal.notFound(approvalId);
    }
    return r;
  }

  /** The call of request {@code r}; refused when a pending request's call no longer awaits it. */
  StoredInvocation stored(ApprovalRequest r) throws ApprovalRefusal {
    try {
      StoredInvocation s =
          invocations
              .find(r.invocationId())
              .orElseThrow(
                  () ->
                      new ApprovalRefusal(
                          ApprovalRefusal.Kind.NOT_FOUND, "no invocation " + r.invocationId()));
      if (r.status() == ApprovalStatus.PENDING && s.state() != InvocationState.AWAITING_APPROVAL) {
        throw new ApprovalRefusal(
            ApprovalRefusal.Kind.DECIDED,
            "invocation "
                + s.invocationId()
                + " is "
                + s.state()
                + ", no longer awaiting approval");
      }
      return s;
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
  }

  /** Request {@code r} as stored, with its call and every vote. */
  ApprovalView view(ApprovalRequest r) throws ApprovalRefusal {
    return ApprovalView.of(r, stored(r), votes(r.approvalId()));
  }

  /** Every vote on request {@code approvalId}, in the order given. */
  List<ApprovalVote> votes(String approvalId) throws ApprovalRefusal {
    try {
      return approvals.votes(approvalId);
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
  }

  /**
   * The approvers whose votes count for the arguments with {@code digest}, in the order they voted.
   */
  List<String> voters(String approvalId, String digest) throws ApprovalRefusal {
    return votes(approvalId).stream()
        .filter(v -> v.argumentsDigest().equals(digest))
        .map(ApprovalVote::approver)
        .toList();
  }

  /**
   * The vote that gave pending request {@code r} its quorum for the call's arguments now; null
   * while it has none.
   */
  ApprovalVote quorum(ApprovalRequest r, StoredInvocation s) throws ApprovalRefusal {
    List<ApprovalVote> counting =
        votes(r.approvalId()).stream()
            .filter(v -> v.argumentsDigest().equals(s.currentDigest()))
            .toList();
    return counting.size() >= r.required() ? counting.getLast() : null;
  }

  /**
   * The refusal of an act on request {@code approvalId} that someone else decided first: as it is
   * decided now (expired, or approved or denied by whom), else plainly decided.
   */
  ApprovalRefusal decidedElsewhere(String approvalId) throws ApprovalRefusal {
    ApprovalRefusal now = decided(find(approvalId));
    return now != null
        ? now
        : new ApprovalRefusal(
            ApprovalRefusal.Kind.DECIDED,
            "approval " + approvalId + " was decided by someone else");
  }

  /** Refuses request {@code r} unless it is pending. */
  static void refuseDecided(ApprovalRequest r) throws ApprovalRefusal {
    ApprovalRefusal refusal = decided(r);
    if (refusal != null) {
      throw refusal;
    }
  }

  /** Why request {@code r} can no longer be decided; null while it is pending. */
  private static ApprovalRefusal decided(ApprovalRequest r) {
    return switch (r.status()) {
      case PENDING -> null;
      case EXPIRED ->
          new ApprovalRefusal(
              ApprovalRefusal.Kind.EXPIRED,
              "approval "
                  + r.approvalId()
                  + " expired at "
                  + r.deadline()
                  + "; the agent must make the call again");
      case APPROVED, DENIED, CANCELLED ->
          new ApprovalRefusal(
              ApprovalRefusal.Kind.DECIDED,
              "approval "
                  + r.approvalId()
                  + " was already "
                  + r.status().wireName()
                  + " by "
                  + r.decidedBy()
                  + " at "
                  + r.decidedAt());
    };
  }
}
