package dev.portcullis.approval;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code approvals:} in the gateway configuration: how long a request waits for people, and which
 * tools need more than one approver ({@code quorum}).
 */
public record ApprovalSettings(Duration timeout, List<QuorumRule> quorum) {
  /** An hour: long enough for a person on duty, short enough that a stale call does not linger. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  public static final ApprovalSettings DEFAULTS = new ApprovalSettings(DEFAULT_TIMEOUT);

  public ApprovalSettings {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("approvals.timeout must be positive");
    }
    quorum = List.copyOf(quorum);
  }

  /** Every tool needs one approver. */
  public ApprovalSettings(Duration timeout) {
    this(timeout, List.of());
  }

  /** How many distinct approvers a call of {@code toolName} needs: the largest matching rule's, else one. */
  public int requiredApprovals(String toolName) {
    int required = 1;
    for (QuorumRule rule : quorum) {
      if (rule.approvers() > required && rule.appliesTo(toolName)) {
        required = rule.approvers();
      }
    }
    return required;
  }
}
