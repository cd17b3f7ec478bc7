package dev.portcullis.approval;

import java.time.Instant;
import java.util.Objects;

/**
 * A request for a person to approve one parked invocation: it authorises that stored call and no
 * other. {@code decidedBy}, {@code decidedAt} and {@code reason} are null while it is pending.
 */
public record ApprovalRequest(
    String approvalId,
    String invocationId,
    Instant createdAt,
    Instant deadline,
    ApprovalStatus status,
    String decidedBy,
    Instant decidedAt,
    String reason) {

  public ApprovalRequest {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(invocationId, "invocationId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(status, "status");
  }

  /** A new pending request. */
  public static ApprovalRequest pending(String approvalId, String invocationId, Instant createdAt, Instant deadline) {
    return new ApprovalRequest(approvalId, invocationId, createdAt, deadline, ApprovalStatus.PENDING, null, null, null);
  }

  /** Whether the deadline has passed at {@code now} (a request is still answerable at its deadline). */
  public boolean pastDeadline(Instant now) {
    return now.isAfter(deadline);
  }
}
