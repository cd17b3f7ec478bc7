package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.invocation.StoredInvocation;
import java.time.Instant;
import java.util.List;

/**
 * One approval request and the parked call it is about, in plain values: the edge shows it without
 * reaching into the approval room (ARCHITECTURE.md: the edge uses pipeline and invocation). {@code
 * status} is the wire name; the decision fields are null while pending. {@code required} is how
 * many distinct approvers it needs; {@code votes} every vote given, each saying whether it counts
 * (it approved the arguments the call has now).
 */
public record ApprovalView(
    String approvalId,
    String status,
    Instant createdAt,
    Instant deadline,
    String decidedBy,
    Instant decidedAt,
    String reason,
    StoredInvocation invocation,
    int required,
    List<Vote> votes) {
  public ApprovalView {
    votes = List.copyOf(votes);
  }

  static ApprovalView of(ApprovalRequest r, StoredInvocation invocation, List<ApprovalVote> votes) {
    String digest = invocation.currentDigest();
    return new ApprovalView(
        r.approvalId(),
        r.status().wireName(),
        r.createdAt(),
        r.deadline(),
        r.decidedBy(),
        r.decidedAt(),
        r.reason(),
        invocation,
        r.required(),
        votes.stream()
            .map(
                v ->
                    new Vote(
                        v.approver(),
                        v.at(),
                        v.argumentsDigest(),
                        v.argumentsDigest().equals(digest),
                        v.reason()))
            .toList());
  }

  /** The approvals that count. */
  public int approvals() {
    return (int) votes.stream().filter(Vote::counts).count();
  }

  /** How many more approvals the request needs while pending. */
  public int remaining() {
    return Math.max(0, required - approvals());
  }

  /** One approver's vote; {@code reason} is null when none was given. */
  public record Vote(
      String approver, Instant at, String argumentsDigest, boolean counts, String reason) {}
}
