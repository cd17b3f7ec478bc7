package dev.portcullis.approval;

import java.time.Instant;
import java.util.Objects;

/**
 * A request for people to approve one parked invocation: it authorises that stored call and no
 * other. {@code required} is how many distinct approvers must approve it, fixed when the call is
 * parked (a later configuration change does not alter it). {@code decidedBy}, {@code decidedAt} and
 * {@code reason} are null while it is pending; for an approval by several people {@code decidedBy}
 * is the one whose vote completed it (the votes name them all).
 */
public record ApprovalRequest(
    String approvalId,
    String invocationId,
    Instant createdAt,
    Instant deadline,
    ApprovalStatus status,
    String decidedBy,
    Instant decidedAt,
    String reason,
    int required) {

  public ApprovalRequest {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(invocationId, "invocationId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(status, "status");
    if (required < 1) {
      throw new IllegalArgumentException(
          "an approval request needs at least one approver, not " + required);
    }
  }

  /** A new pending request that one approver decides. */
  public static ApprovalRequest pending(
      String approvalId, String invocationId, Instant createdAt, Instant deadline) {
    return pending(approvalId, invocationId, createdAt, deadline, 1);
  }

  /** A new pending request that needs {@code required} distinct approvers. */
  public static ApprovalRequest pending(
      String approvalId, String invocationId, Instant createdAt, Instant deadline, int required) {
    return new ApprovalRequest(
        approvalId,
        invocationId,
        createdAt,
        deadline,
        ApprovalStatus.PENDING,
        null,
        null,
        null,
        required);
  }

  /**
   * The request as it stands at {@code now}: a pending one past its deadline reads as expired by
   * the deadline (what the sweeper will record), so a reader sees it as it is without writing.
   */
  public ApprovalRequest asOf(Instant now, String deadlineName, String expiredReason) {
    if (status != ApprovalStatus.PENDING || !pastDeadline(now)) {
      return this;
    }
    return new ApprovalRequest(
        approvalId,
        invocationId,
        createdAt,
        deadline,
        ApprovalStatus.EXPIRED,
        deadlineName,
        deadline,
        expiredReason,
        required);
  }

  /**
   * Whether the deadline has passed at {@code now} (a request is still answerable at its deadline).
   */
  public boolean pastDeadline(Instant now) {
    return now.isAfter(deadline);
  }
}
