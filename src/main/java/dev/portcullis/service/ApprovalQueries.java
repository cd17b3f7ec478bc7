package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.StoredInvocation;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Lists and shows approval requests. Reads only: it holds no ledger and calls no write of the
 * approval store, so a listing never expires a request; a pending request past its deadline is
 * shown as expired ({@link ApprovalExpiry#asOf}), as the sweeper will record it.
 *
 * <p>Security: an approver lists and reads only the requests whose call is of one of their tenants;
 * any other is not found, exactly as an unknown id.
 */
public final class ApprovalQueries {
  private final ApprovalStore approvals;
  private final InvocationStore invocations;
  private final ApprovalLookup lookup;
  private final Clock clock;

  public ApprovalQueries(
      ApprovalStore approvals, InvocationStore invocations, ApprovalLookup lookup, Clock clock) {
    this.approvals = approvals;
    this.invocations = invocations;
    this.lookup = lookup;
    this.clock = clock;
  }

  /**
   * The requests in {@code status} (a wire name: pending, approved, denied, expired, cancelled) of
   * the tenants {@code operator} decides for, oldest first, each with its call and votes.
   *
   * @throws IllegalArgumentException when no status has that name
   */
  public List<ApprovalView> list(String statusName, OperatorRef operator) throws ApprovalRefusal {
    ApprovalStatus status = ApprovalStatus.parse(statusName);
    if (status == null) {
      throw new IllegalArgumentException(
          "status must be one of pending, approved, denied, expired, cancelled");
    }
    Instant now = clock.instant();
    try {
      List<ApprovalRequest> found = new ArrayList<>(approvals.inStatus(status));
      if (status == ApprovalStatus.EXPIRED) {
        found.addAll(approvals.inStatus(ApprovalStatus.PENDING));
        found.sort(
            Comparator.comparing(ApprovalRequest::createdAt)
                .thenComparing(ApprovalRequest::approvalId));
      }
      List<ApprovalView> out = new ArrayList<>();
      for (ApprovalRequest stored : found) {
        ApprovalRequest r = ApprovalExpiry.asOf(stored, now);
        if (r.status() != status) {
          continue;
        }
        Optional<StoredInvocation> s = invocations.find(r.invocationId());
        if (s.isPresent() && operator.covers(s.get().invocation().tenant())) {
          out.add(ApprovalView.of(r, s.get(), approvals.votes(r.approvalId())));
        }
      }
      return out;
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
  }

  /**
   * One request of {@code operator}'s tenants; another tenant's is not found, as an unknown id is.
   */
  public ApprovalView show(String approvalId, OperatorRef operator) throws ApprovalRefusal {
    return lookup.view(ApprovalExpiry.asOf(lookup.visible(approvalId, operator), clock.instant()));
  }

  /**
   * The deadline of request {@code approvalId}, for the agent's own parked call; empty if there is
   * none.
   */
  public Optional<Instant> deadline(String approvalId) throws ApprovalRefusal {
    try {
      return approvals.find(approvalId).map(ApprovalRequest::deadline);
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
  }
}
