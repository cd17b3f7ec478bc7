package dev.portcullis.pipeline;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.policy.PolicyEngine;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What approvers do with parked calls: list and show them, approve (which resumes the road for
 * that exact stored call), deny with a reason, and let unanswered ones expire at their deadline.
 *
 * <p>Security: an approval authorises only the stored call: its arguments, agent and user come
 * from the invocation store, never from the approver's request. On approval the call is checked
 * again: its tool's descriptor must be the one it was parked with, its arguments valid, and the
 * policy in force must not forbid it. Four-eyes: the user a call was made for cannot approve it.
 *
 * <p>Concurrency: exactly once. The request moves out of pending with a compare-and-set, so of two
 * approvers racing only one resumes the call; the commit stage then moves the call from
 * AWAITING_APPROVAL to EXECUTING with the invocation store's compare-and-set before anything runs.
 *
 * <p>Audit: every event (requested by the parked call's own record; approved, denied, expired
 * here) is a record in the same chain, naming who decided and when.
 */
public final class Approvals {
  private static final Logger LOG = LoggerFactory.getLogger(Approvals.class);
  /** Who expires a request: no person did. */
  public static final String DEADLINE = "deadline";

  private final ApprovalStore approvals;
  private final InvocationStore invocations;
  private final AuditLog log;
  private final AuditEntries entries;
  private final Clock clock;
  private final Road road;
  private final ApprovalSignals signals = new ApprovalSignals();

  /** The stages an approved call takes again, from validation on. */
  public record Road(AuditStage audit, ValidateStage validate, PolicyEngine policy, FilterStage filter,
      CommitStage commit, ExecuteStage execute) {
    public Road {
      Objects.requireNonNull(audit, "audit");
      Objects.requireNonNull(validate, "validate");
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(filter, "filter");
      Objects.requireNonNull(commit, "commit");
      Objects.requireNonNull(execute, "execute");
    }
  }

  /**
   * One approval request and the parked call it is about, in plain values: the edge shows it
   * without reaching into the approval room (ARCHITECTURE.md: the edge uses pipeline and
   * invocation). {@code status} is the wire name; the decision fields are null while pending.
   */
  public record View(String approvalId, String status, Instant createdAt, Instant deadline, String decidedBy,
      Instant decidedAt, String reason, StoredInvocation invocation) {
    static View of(ApprovalRequest r, StoredInvocation invocation) {
      return new View(r.approvalId(), r.status().wireName(), r.createdAt(), r.deadline(), r.decidedBy(),
          r.decidedAt(), r.reason(), invocation);
    }
  }

  public Approvals(ApprovalStore approvals, InvocationStore invocations, AuditLog log, AuditEntries entries,
      Clock clock, Road road) {
    this.approvals = approvals;
    this.invocations = invocations;
    this.log = log;
    this.entries = entries;
    this.clock = clock;
    this.road = road;
  }

  /**
   * Signals each decision taken through this object, for callers on this node that wait for one
   * (the MCP edge holds a parked call open until it is decided or its wait is over).
   */
  public ApprovalSignals signals() {
    return signals;
  }

  /**
   * The requests in {@code status} (a wire name: pending, approved, denied, expired), oldest
   * first, each with its call; expires overdue ones first.
   *
   * @throws IllegalArgumentException when no status has that name
   */
  public List<View> list(String statusName) throws Refusal {
    ApprovalStatus status = ApprovalStatus.parse(statusName);
    if (status == null) {
      throw new IllegalArgumentException("status must be one of pending, approved, denied, expired");
    }
    sweep();
    try {
      List<View> out = new ArrayList<>();
      for (ApprovalRequest r : approvals.inStatus(status)) {
        invocations.find(r.invocationId()).ifPresent(s -> out.add(View.of(r, s)));
      }
      return out;
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  public View show(String approvalId) throws Refusal {
    ApprovalRequest r = find(approvalId);
    if (r.status() == ApprovalStatus.PENDING && r.pastDeadline(clock.instant())) {
      expire(r);
      r = find(approvalId);
    }
    return View.of(r, stored(r));
  }

  /**
   * Approves the request and runs the rest of the road for its stored call: re-validated,
   * re-decided, committed, executed, filtered and audited. Returns how the call ended.
   */
  public Outcome approve(String approvalId, String approver) throws Refusal {
    ApprovalRequest r = pending(approvalId);
    StoredInvocation s = stored(r);
    if (s.invocation().user() != null && s.invocation().user().id().equals(approver)) {
      throw new Refusal(Refusal.Kind.FOUR_EYES, "approver " + approver + " is the user this call was made for;"
          + " another approver must decide it");
    }
    Instant now = clock.instant();
    decide(r, ApprovalStatus.APPROVED, approver, now, null);
    Invocation inv = s.invocation();
    appendAudit(entries.approvalEvent(inv, InvocationState.AWAITING_APPROVAL,
        List.of("approval:" + approvalId, "approved-by:" + approver), null, null));
    LOG.info("approval {} given by {}; resuming invocation {}", approvalId, approver, inv.invocationId());
    Pipeline resumed = new Pipeline(List.of(road.audit(), new ResumeStage(invocations, clock), road.validate(),
        new RedecideStage(road.policy(), approvalId, approver), road.filter(), road.commit(), road.execute()));
    try {
      return resumed.run(inv);
    } finally {
      signals.decided(inv.invocationId());
    }
  }

  /** Denies the request: its call ends DENIED with the approver's reason. */
  public Outcome deny(String approvalId, String approver, String reason) throws Refusal {
    ApprovalRequest r = pending(approvalId);
    StoredInvocation s = stored(r);
    Instant now = clock.instant();
    decide(r, ApprovalStatus.DENIED, approver, now, reason);
    List<String> reasons = List.of("approval:" + approvalId, "denied-by:" + approver);
    String detail = "approver " + approver + " denied this call: " + reason;
    Ending ending = new Ending(kind(DenialKind.APPROVAL_DENIED), detail, reasons, null);
    end(s.invocation(), InvocationState.DENIED, ending);
    appendAudit(entries.approvalEvent(s.invocation(), InvocationState.DENIED, reasons,
        kind(DenialKind.APPROVAL_DENIED), detail));
    signals.decided(s.invocationId());
    return new Outcome.Denied(s.invocation(), DenialKind.APPROVAL_DENIED, detail, reasons);
  }

  /** Expires every pending request past its deadline; returns how many. */
  public int sweep() throws Refusal {
    Instant now = clock.instant();
    int expired = 0;
    try {
      for (ApprovalRequest r : approvals.inStatus(ApprovalStatus.PENDING)) {
        if (r.pastDeadline(now) && expire(r)) {
          expired++;
        }
      }
    } catch (StoreException e) {
      throw unavailable(e);
    }
    return expired;
  }

  private boolean expire(ApprovalRequest r) throws Refusal {
    Instant now = clock.instant();
    try {
      if (!approvals.decide(r.approvalId(), ApprovalStatus.EXPIRED, DEADLINE, now, "no approver decided in time")) {
        return false;
      }
    } catch (StoreException e) {
      throw unavailable(e);
    }
    StoredInvocation s = stored(r);
    String detail = "no approver decided before the deadline " + r.deadline() + "; the call was not executed";
    List<String> reasons = List.of("approval:" + r.approvalId());
    end(s.invocation(), InvocationState.EXPIRED, new Ending("approval_expired", detail, reasons, null));
    appendAudit(entries.approvalEvent(s.invocation(), InvocationState.EXPIRED, reasons, "approval_expired", detail));
    signals.decided(s.invocationId());
    LOG.info("approval {} expired; invocation {} not executed", r.approvalId(), r.invocationId());
    return true;
  }

  private ApprovalRequest pending(String approvalId) throws Refusal {
    ApprovalRequest r = find(approvalId);
    if (r.status() == ApprovalStatus.PENDING && r.pastDeadline(clock.instant())) {
      expire(r);
      r = find(approvalId);
    }
    refuseDecided(r);
    return r;
  }

  private static void refuseDecided(ApprovalRequest r) throws Refusal {
    switch (r.status()) {
      case PENDING -> { }
      case EXPIRED -> throw new Refusal(Refusal.Kind.EXPIRED,
          "approval " + r.approvalId() + " expired at " + r.deadline() + "; the agent must make the call again");
      case APPROVED, DENIED -> throw new Refusal(Refusal.Kind.DECIDED,
          "approval " + r.approvalId() + " was already " + r.status().wireName() + " by " + r.decidedBy()
              + " at " + r.decidedAt());
    }
  }

  private void decide(ApprovalRequest r, ApprovalStatus to, String by, Instant at, String reason) throws Refusal {
    boolean won;
    try {
      won = approvals.decide(r.approvalId(), to, by, at, reason);
    } catch (StoreException e) {
      throw unavailable(e);
    }
    if (!won) {
      refuseDecided(find(r.approvalId()));
      throw new Refusal(Refusal.Kind.DECIDED, "approval " + r.approvalId() + " was decided by someone else");
    }
  }

  private void end(Invocation inv, InvocationState to, Ending ending) throws Refusal {
    try {
      invocations.move(inv, InvocationState.AWAITING_APPROVAL, List.of(to), ending, clock.instant());
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  private void appendAudit(dev.portcullis.audit.AuditEntry entry) throws Refusal {
    try {
      log.append(entry);
    } catch (AuditLog.AuditUnavailableException e) {
      LOG.error("audit log unavailable while recording an approval event", e);
      throw new Refusal(Refusal.Kind.UNAVAILABLE, "the audit log cannot be written; retry later or ask an operator");
    }
  }

  private ApprovalRequest find(String approvalId) throws Refusal {
    try {
      return approvals.find(approvalId)
          .orElseThrow(() -> new Refusal(Refusal.Kind.NOT_FOUND, "no approval request " + approvalId));
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  private StoredInvocation stored(ApprovalRequest r) throws Refusal {
    try {
      StoredInvocation s = invocations.find(r.invocationId())
          .orElseThrow(() -> new Refusal(Refusal.Kind.NOT_FOUND, "no invocation " + r.invocationId()));
      if (r.status() == ApprovalStatus.PENDING && s.state() != InvocationState.AWAITING_APPROVAL) {
        throw new Refusal(Refusal.Kind.DECIDED,
            "invocation " + s.invocationId() + " is " + s.state() + ", no longer awaiting approval");
      }
      return s;
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  private static String kind(DenialKind k) {
    return k.name().toLowerCase(Locale.ROOT);
  }

  private static Refusal unavailable(StoreException e) {
    LOG.error("approval or invocation store unavailable", e);
    return new Refusal(Refusal.Kind.UNAVAILABLE, "the approval store cannot be read or written; retry later");
  }

  /** Why an approver's request was refused; the message says what to do next. */
  public static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    /** The kinds of refusal the approval API maps to problems. */
    public enum Kind { NOT_FOUND, DECIDED, EXPIRED, FOUR_EYES, UNAVAILABLE }

    private final Kind kind;

    public Refusal(Kind kind, String message) {
      super(message);
      this.kind = kind;
    }

    public Kind kind() {
      return kind;
    }
  }
}
