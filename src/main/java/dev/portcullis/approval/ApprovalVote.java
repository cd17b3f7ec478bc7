package dev.portcullis.approval;

import java.time.Instant;
import java.util.Objects;

/**
 * One approver's approval of a request, for the arguments whose digest it names: after an edit the
 * request approves other arguments, and votes for the earlier ones no longer count. {@code reason}
 * is what the approver said, if anything.
 */
public record ApprovalVote(
    String approvalId, String approver, String argumentsDigest, Instant at, String reason) {
  public ApprovalVote {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(argumentsDigest, "argumentsDigest");
    Objects.requireNonNull(at, "at");
  }
}
