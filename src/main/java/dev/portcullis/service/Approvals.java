package dev.portcullis.service;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.UserRef;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What approvers do with parked calls, as the edge serves it: list and show them ({@link
 * ApprovalQueries}, reads only), approve them, with edited arguments or not ({@link
 * ApprovalVoting}), and deny them ({@link ApprovalDenials}); and what the agent that made a parked
 * call may do with it: cancel it ({@link ParkedCancellations}). Each job is its own class, wired in
 * {@code cli/Assembly}; this one only hands each call to its class. Unanswered requests expire in
 * the sweeper ({@link ApprovalExpiry}), and calls whose request was decided but whose road never
 * ran are finished by {@link ApprovalFinisher}; neither is reachable from here.
 *
 * <p>Audit: every event (requested by the parked call's own record; each vote, an edit, approved,
 * denied, expired) is a record in the same chain, naming who acted and when, written in one
 * transaction with what it records.
 */
public final class Approvals {
  private final ApprovalQueries queries;
  private final ApprovalVoting voting;
  private final ApprovalDenials denials;
  private final ParkedCancellations cancellations;
  private final ApprovalSignals signals;

  public Approvals(
      ApprovalQueries queries,
      ApprovalVoting voting,
      ApprovalDenials denials,
      ParkedCancellations cancellations,
      ApprovalSignals signals) {
    this.queries = queries;
    this.voting = voting;
    this.denials = denials;
    this.cancellations = cancellations;
    this.signals = signals;
  }

  /**
   * Signals each decision taken on this node, for callers that wait for one (the MCP edge holds a
   * parked call open until it is decided or its wait is over).
   */
  public ApprovalSignals signals() {
    return signals;
  }

  /** See {@link ApprovalQueries#list}. */
  public List<ApprovalView> list(String statusName, OperatorRef operator) throws ApprovalRefusal {
    return queries.list(statusName, operator);
  }

  /** See {@link ApprovalQueries#show}. */
  public ApprovalView show(String approvalId, OperatorRef operator) throws ApprovalRefusal {
    return queries.show(approvalId, operator);
  }

  /** See {@link ApprovalQueries#deadline}. */
  public Optional<Instant> deadline(String approvalId) throws ApprovalRefusal {
    return queries.deadline(approvalId);
  }

  /** Approves the call as it stands: see {@link ApprovalVoting#approve}. */
  public ApprovalResult approve(String approvalId, OperatorRef approver) throws ApprovalRefusal {
    return voting.approve(approvalId, approver, ApprovalConsent.PLAIN);
  }

  /** See {@link ApprovalVoting#approve}. */
  public ApprovalResult approve(String approvalId, OperatorRef operator, ApprovalConsent consent)
      throws ApprovalRefusal {
    return voting.approve(approvalId, operator, consent);
  }

  /** The agent that made a parked call cancels it: see {@link ParkedCancellations#cancel}. */
  public Outcome cancel(String invocationId, AgentRef agent, UserRef user) throws ApprovalRefusal {
    return cancellations.cancel(invocationId, agent, user);
  }

  /** See {@link ApprovalDenials#deny}. */
  public Outcome deny(String approvalId, OperatorRef operator, String reason)
      throws ApprovalRefusal {
    return denials.deny(approvalId, operator, reason);
  }
}
