package dev.portcullis.approval;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code approvals:} in the gateway configuration: how long a request waits for people ({@code
 * timeout}), which tools need more than one approver ({@code quorum}), and how long an MCP {@code
 * tools/call} that was parked stays open for the decision before it answers "pending" with a handle
 * ({@code mcpWait}, zero to answer at once).
 */
public record ApprovalSettings(Duration timeout, List<QuorumRule> quorum, Duration mcpWait) {
  /** An hour: long enough for a person on duty, short enough that a stale call does not linger. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  /**
   * Fifteen seconds: long enough for an approver who is watching (a chat or mail notice) to answer
   * while the agent's call is still open, and short enough to answer before common MCP clients give
   * up on a request (the MCP Java SDK's default request timeout is 20 s; an answer after it would
   * lose the agent its handle).
   */
  public static final Duration DEFAULT_MCP_WAIT = Duration.ofSeconds(15);

  public static final ApprovalSettings DEFAULTS =
      new ApprovalSettings(DEFAULT_TIMEOUT, List.of(), DEFAULT_MCP_WAIT);

  public ApprovalSettings {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(mcpWait, "mcpWait");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("approvals.timeout must be positive");
    }
    quorum = List.copyOf(quorum);
    if (mcpWait.isNegative() || mcpWait.compareTo(timeout) >= 0) {
      throw new IllegalArgumentException(
          "approvals.mcpWait must be zero or more and less than approvals.timeout");
    }
  }

  /** Every tool needs one approver; MCP calls wait the default. */
  public ApprovalSettings(Duration timeout) {
    this(timeout, List.of(), defaultMcpWait(timeout));
  }

  /**
   * How many distinct approvers a call of {@code toolName} needs: the largest matching rule's, else
   * one.
   */
  public int requiredApprovals(String toolName) {
    int required = 1;
    for (QuorumRule rule : quorum) {
      if (rule.approvers() > required && rule.appliesTo(toolName)) {
        required = rule.approvers();
      }
    }
    return required;
  }

  /**
   * The MCP wait for {@code timeout} when none is configured: the default, or half the timeout if
   * shorter.
   */
  public static Duration defaultMcpWait(Duration timeout) {
    Duration half = timeout.dividedBy(2);
    return half.compareTo(DEFAULT_MCP_WAIT) < 0 ? half : DEFAULT_MCP_WAIT;
  }
}
