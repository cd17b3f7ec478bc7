package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.approval.ApprovalStore.Ballot;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.audit.AuditChain;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.invocation.ArgumentsEdit;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.pipeline.BeforeStateStage;
import dev.portcullis.pipeline.CommitStage;
import dev.portcullis.pipeline.ExecuteStage;
import dev.portcullis.pipeline.FilterStage;
import dev.portcullis.pipeline.LedgerStage;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.PolicyStage;
import dev.portcullis.pipeline.ValidateStage;
import dev.portcullis.policy.PolicyEngine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What approvers do with parked calls: list and show them, approve (a vote; the last vote a request
 * needs resumes the road for that exact stored call), approve with edited arguments, deny with a
 * reason, and let unanswered ones expire at their deadline.
 *
 * <p>Security: an approval authorises only the stored call: its arguments, agent and user come from
 * the invocation store, never from the approver's request, unless an approver edits the arguments;
 * an edit is validated like the agent's arguments (size, depth, schema) and decided again by the
 * policy before anything is recorded, and what then runs is exactly the edited call. Votes count
 * only for the arguments they approved: after an edit, earlier votes no longer count and the
 * editor's vote counts for the new arguments. On approval the call is checked again: its tool's
 * descriptor must be the one it was parked with, its arguments valid, and the policy in force must
 * not forbid it. Four-eyes: the user a call was made for cannot vote on it. Tenants: an approver
 * lists, reads and decides only the requests whose call is of one of their tenants; any other is
 * not found, exactly as an unknown id.
 *
 * <p>Concurrency: exactly once. A request needs {@code required} distinct approvers; the store
 * records each vote with its audit record, and a vote that reaches the quorum resumes the call. The
 * resumed road's first move out of AWAITING_APPROVAL decides the request (a compare-and-set from
 * pending) in the same transaction as the call's move, so of two final votes racing only one runs
 * the call and the other is refused as decided; a crash before that move leaves the request pending
 * with its quorum, for the next approval or {@link #finishDecided}.
 *
 * <p>Audit: every event (requested by the parked call's own record; each vote, an edit, approved,
 * denied, expired here) is a record in the same chain, naming who acted and when.
 */
public final class Approvals {
  private static final Logger LOG = LoggerFactory.getLogger(Approvals.class);

  /** Who expires a request: no person did. */
  public static final String DEADLINE = "deadline";

  /** Why the deadline expired a request. */
  private static final String EXPIRED_REASON = "no approver decided in time";

  private final ApprovalStore approvals;
  private final InvocationStore invocations;
  private final AuditLog log;
  private final Ledger ledger;
  private final AuditEntries entries;
  private final Clock clock;
  private final Road road;
  private final JsonMapper json;
  private final ApprovalSignals signals = new ApprovalSignals();

  /**
   * Calls {@link #finishDecided} is finishing on this node, so two sweeps never finish one twice.
   */
  private final java.util.Set<String> finishing =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The stages an approved call takes again, from validation on ({@link Pipeline#resumed}). */
  public record Road(
      ValidateStage validate,
      PolicyEngine policy,
      FilterStage filter,
      BeforeStateStage before,
      ExecuteStage execute) {
    public Road {
      Objects.requireNonNull(validate, "validate");
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(filter, "filter");
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(execute, "execute");
    }
  }

  /**
   * What an approver sends with an approval, each part optional (null): {@code arguments} to edit
   * the call's arguments, {@code reason} why, and {@code argumentsDigest} the digest of the
   * arguments the approver looked at, so an approval never lands on arguments edited since.
   */
  public record Consent(JsonNode arguments, String reason, String argumentsDigest) {
    /** Approve the call as it stands, without a word. */
    public static final Consent PLAIN = new Consent(null, null, null);
  }

  /** What an approval did. */
  public sealed interface Result {
    /**
     * The approval ended the request, now in {@code status} (a wire name): approved, the call ran
     * its road; denied, the policy forbids the arguments the approver edited in.
     */
    record Ended(String status, Outcome outcome) implements Result {}

    /** The vote is recorded; the request still needs {@code view.remaining()} more approvals. */
    record Voted(View view) implements Result {}
  }

  public Approvals(
      ApprovalStore approvals,
      InvocationStore invocations,
      AuditLog log,
      Ledger ledger,
      AuditEntries entries,
      Clock clock,
      Road road,
      JsonMapper json) {
    this.approvals = approvals;
    this.invocations = invocations;
    this.log = log;
    this.ledger = ledger;
    this.entries = entries;
    this.clock = clock;
    this.road = road;
    this.json = json;
  }

  /**
   * Signals each decision taken through this object, for callers on this node that wait for one
   * (the MCP edge holds a parked call open until it is decided or its wait is over).
   */
  public ApprovalSignals signals() {
    return signals;
  }

  /**
   * The requests in {@code status} (a wire name: pending, approved, denied, expired) of the tenants
   * {@code operator} decides for, oldest first, each with its call and votes. Reads only: a pending
   * request past its deadline is listed as expired, as the sweeper ({@link #sweep}) or the next
   * decision on it will record it.
   *
   * @throws IllegalArgumentException when no status has that name
   */
  public List<View> list(String statusName, OperatorRef operator) throws Refusal {
    ApprovalStatus status = ApprovalStatus.parse(statusName);
    if (status == null) {
      throw new IllegalArgumentException(
          "status must be one of pending, approved, denied, expired");
    }
    Instant now = clock.instant();
    try {
      List<ApprovalRequest> found = new ArrayList<>(approvals.inStatus(status));
      if (status == ApprovalStatus.EXPIRED) {
        found.addAll(approvals.inStatus(ApprovalStatus.PENDING));
        found.sort(
            java.util.Comparator.comparing(ApprovalRequest::createdAt)
                .thenComparing(ApprovalRequest::approvalId));
      }
      List<View> out = new ArrayList<>();
      for (ApprovalRequest stored : found) {
        ApprovalRequest r = asOf(stored, now);
        if (r.status() != status) {
          continue;
        }
        var s = invocations.find(r.invocationId());
        if (s.isPresent() && operator.covers(s.get().invocation().tenant())) {
          out.add(View.of(r, s.get(), approvals.votes(r.approvalId())));
        }
      }
      return out;
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  /**
   * One request of {@code operator}'s tenants; another tenant's is not found, as an unknown id is.
   * Reads only, as {@link #list} does.
   */
  public View show(String approvalId, OperatorRef operator) throws Refusal {
    return view(asOf(visible(approvalId, operator), clock.instant()));
  }

  /**
   * {@code r} as it stands at {@code now}: overdue and pending reads as expired by the deadline.
   */
  private static ApprovalRequest asOf(ApprovalRequest r, Instant now) {
    return r.asOf(now, DEADLINE, EXPIRED_REASON);
  }

  /**
   * The deadline of request {@code approvalId}, for the agent's own parked call; empty if there is
   * none.
   */
  public Optional<Instant> deadline(String approvalId) throws Refusal {
    try {
      return approvals.find(approvalId).map(ApprovalRequest::deadline);
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  /** Approves the call as it stands: see {@link #approve(String, OperatorRef, Consent)}. */
  public Result approve(String approvalId, OperatorRef approver) throws Refusal {
    return approve(approvalId, approver, Consent.PLAIN);
  }

  /**
   * Records {@code operator}'s approval, after editing the call's arguments when {@code consent}
   * carries some. When the request then has all the approvals it needs, runs the rest of the road
   * for its stored call: re-validated, re-decided, committed, executed, filtered and audited. A
   * request of another tenant than the operator's is not found, as an unknown id is.
   */
  public Result approve(String approvalId, OperatorRef operator, Consent consent) throws Refusal {
    String approver = operator.id();
    ApprovalRequest r = pending(visible(approvalId, operator));
    StoredInvocation s = stored(r);
    if (s.invocation().user() != null && s.invocation().user().id().equals(approver)) {
      throw new Refusal(
          Refusal.Kind.FOUR_EYES,
          "approver "
              + approver
              + " is the user this call was made for;"
              + " another approver must decide it");
    }
    String digest = s.currentDigest();
    if (consent.argumentsDigest() != null && !consent.argumentsDigest().equals(digest)) {
      throw changed(approvalId, s);
    }
    matchesAudit(r, s);
    Invocation call = s.current();
    boolean edited = false;
    if (consent.arguments() != null) {
      String editedDigest = digest(consent.arguments());
      if (!editedDigest.equals(digest)) {
        Invocation proposed = call.withArguments(consent.arguments());
        Decision decision = checkEdit(approvalId, proposed);
        recordEdit(
            r, s, new ArgumentsEdit(consent.arguments(), editedDigest, approver, clock.instant()));
        if (decision.effect() == Effect.DENY) {
          return new Result.Ended(
              ApprovalStatus.DENIED.wireName(),
              denyEdit(r, proposed.withDecision(decision), approver));
        }
        call = proposed;
        digest = editedDigest;
        edited = true;
      }
    }
    Instant now = clock.instant();
    Invocation voted = call;
    List<String> approvers = new ArrayList<>(voters(approvalId, digest));
    approvers.add(approver);
    Ballot ballot =
        vote(
            new ApprovalVote(approvalId, approver, digest, now, consent.reason()),
            b ->
                Transition.note(
                    entries.approvalEvent(
                        voted,
                        InvocationState.AWAITING_APPROVAL,
                        voteReasons(r, b, approver, approvers),
                        null,
                        null)));
    switch (ballot.kind()) {
      case RECORDED -> {
        LOG.info(
            "approval {}: {} approved ({} of {})",
            approvalId,
            approver,
            ballot.votes(),
            r.required());
        return new Result.Voted(view(find(approvalId)));
      }
      case ALREADY_VOTED -> {
        if (edited) { // edited back to arguments this approver had approved: that vote counts again
          return new Result.Voted(view(find(approvalId)));
        }
        throw new Refusal(
            Refusal.Kind.ALREADY_VOTED,
            "approver "
                + approver
                + " has already approved these"
                + " arguments; "
                + (r.required() - countFor(approvalId, digest))
                + " other approver(s) must approve them");
      }
      case STALE -> throw changed(approvalId, s);
      case NOT_PENDING -> {
        refuseDecided(find(approvalId));
        throw new Refusal(
            Refusal.Kind.DECIDED, "approval " + approvalId + " was decided by someone else");
      }
      case QUORUM, AWAITS_RESUMPTION -> {
        return new Result.Ended(
            ApprovalStatus.APPROVED.wireName(),
            resume(r, call, digest, approver, consent.reason()));
      }
    }
    throw new IllegalStateException("unknown ballot " + ballot.kind());
  }

  /**
   * What a vote's record says: who voted and how far the request is ({@code voted-by}, {@code
   * votes:N/M}); the vote that completes the quorum names every approver ({@code approved-by}).
   */
  private static List<String> voteReasons(
      ApprovalRequest r, Ballot b, String approver, List<String> approvers) {
    List<String> reasons = new ArrayList<>();
    reasons.add("approval:" + r.approvalId());
    if (b.kind() == Ballot.Kind.QUORUM) {
      approvers.forEach(a -> reasons.add("approved-by:" + a));
      if (r.required() > 1) {
        reasons.add("votes:" + b.votes() + "/" + r.required());
      }
    } else {
      reasons.add("voted-by:" + approver);
      reasons.add("votes:" + b.votes() + "/" + r.required());
    }
    return reasons;
  }

  /**
   * The approvers whose votes count for the arguments with {@code digest}, in the order they voted.
   */
  private List<String> voters(String approvalId, String digest) throws Refusal {
    try {
      return approvals.votes(approvalId).stream()
          .filter(v -> v.argumentsDigest().equals(digest))
          .map(ApprovalVote::approver)
          .toList();
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  /**
   * Refuses to approve a stored call whose agent, tenant, user, tool or arguments are not the ones
   * the audit log recorded for it when it was parked or last edited: someone with access to the
   * database changed them outside the gateway. The audit record's own hash must hold, and its
   * arguments digest must be the digest of the stored arguments (recomputed, not read from the
   * row). The refusal is itself recorded.
   */
  private void matchesAudit(ApprovalRequest r, StoredInvocation s) throws Refusal {
    String stored = digest(s.current().arguments());
    AuditRecord vouching = null;
    try {
      vouching = vouching(log.records(s.invocationId()));
    } catch (AuditLog.AuditUnavailableException e) {
      LOG.error("audit log unavailable while checking approval {}", r.approvalId(), e);
      throw new Refusal(
          Refusal.Kind.UNAVAILABLE, "the audit log cannot be read; retry later or ask an operator");
    }
    if (vouching == null) {
      throw new Refusal(
          Refusal.Kind.UNAVAILABLE,
          "invocation "
              + s.invocationId()
              + " is still being parked (its"
              + " audit record is not written yet); retry in a moment");
    }
    boolean intact =
        AuditChain.hash(vouching.seq(), vouching.entry(), vouching.prevHash())
            .equals(vouching.hash());
    Invocation call = s.current();
    boolean sameCall =
        Objects.equals(call.agent().id(), vouching.entry().agentId())
            && Objects.equals(call.tenant(), vouching.entry().tenant())
            && Objects.equals(
                call.user() == null ? null : call.user().id(), vouching.entry().userId())
            && Objects.equals(call.toolName(), vouching.entry().toolName());
    if (intact
        && sameCall
        && stored.equals(vouching.entry().argumentsDigest())
        && stored.equals(s.currentDigest())) {
      return;
    }
    String detail =
        "the stored call "
            + s.invocationId()
            + " (its agent, user, tool or arguments) is not the one"
            + " the audit log recorded when it was parked"
            + (intact ? "" : " (that record is altered)")
            + "; nothing ran. Ask an operator to check the data directory ('portcullis audit verify')";
    LOG.error("approval {}: {}", r.approvalId(), detail);
    note(
        entries.approvalEvent(
            s.current(),
            InvocationState.AWAITING_APPROVAL,
            List.of("approval:" + r.approvalId(), "stored-digest:" + stored),
            "stored_call_altered",
            detail));
    throw new Refusal(Refusal.Kind.STORED_CALL_ALTERED, detail);
  }

  /**
   * The record that vouches for a parked call's arguments: its last edit by an approver, else the
   * record of its parking (its first AWAITING_APPROVAL record). Other events (votes, notifications,
   * refusals) carry whatever arguments the call held then and vouch for nothing.
   */
  private static AuditRecord vouching(List<AuditRecord> records) {
    AuditRecord parked = null;
    AuditRecord lastEdit = null;
    for (AuditRecord a : records) {
      if (!InvocationState.AWAITING_APPROVAL.name().equals(a.entry().state())) {
        continue;
      }
      if (parked == null) {
        parked = a;
      } else if (a.entry().errorKind() == null
          && a.entry().reasons().stream().anyMatch(reason -> reason.startsWith("edited-to:"))) {
        lastEdit = a;
      }
    }
    return lastEdit != null ? lastEdit : parked;
  }

  /**
   * Runs the approved call's road ({@link Pipeline#resumed}). Its first move out of
   * AWAITING_APPROVAL (to EXECUTING, or to DENIED when the policy in force now refuses it) also
   * decides the request, approved by {@code by}, in the same transaction: a crash before it leaves
   * the request pending with its quorum, which the next approval or {@link #finishDecided} resumes.
   */
  private Outcome resume(
      ApprovalRequest r, Invocation call, String digest, String by, String reason) throws Refusal {
    List<String> voters = voters(r.approvalId(), digest);
    LOG.info(
        "approval {} given by {}; resuming invocation {}",
        r.approvalId(),
        voters,
        call.invocationId());
    java.util.concurrent.atomic.AtomicBoolean lost =
        new java.util.concurrent.atomic.AtomicBoolean();
    Ledger deciding =
        r.status() != ApprovalStatus.PENDING
            ? ledger
            : t -> {
              if (t.kind() != Transition.Kind.MOVE
                  || t.from() != InvocationState.AWAITING_APPROVAL) {
                return ledger.write(t);
              }
              if (!approvals.decide(
                  r.approvalId(), ApprovalStatus.APPROVED, by, clock.instant(), reason, t)) {
                lost.set(true);
                throw new InvocationStore.StateConflictException(
                    "approval " + r.approvalId() + " was decided elsewhere");
              }
              return new Ledger.Written.Done();
            };
    Pipeline resumed =
        Pipeline.resumed(
            new LedgerStage(deciding, invocations, entries, json, LedgerStage.Parked.NONE),
            road.validate(),
            PolicyStage.approved(road.policy(), r.approvalId(), String.join(" and ", voters)),
            road.filter(),
            new CommitStage(deciding, entries, json),
            road.before(),
            road.execute());
    Outcome outcome;
    try {
      outcome = resumed.run(call);
    } finally {
      signals.decided(call.invocationId());
    }
    if (lost.get()) { // another approver's resumption decided it first; nothing ran here
      refuseDecided(find(r.approvalId()));
      throw new Refusal(
          Refusal.Kind.DECIDED, "approval " + r.approvalId() + " was decided by someone else");
    }
    return outcome;
  }

  /**
   * The policy's decision on edited arguments, refusing (changing nothing) arguments that are not
   * valid.
   */
  private Decision checkEdit(String approvalId, Invocation proposed) throws Refusal {
    Outcome.Denied invalid = road.validate().checkArguments(proposed);
    if (invalid != null) {
      throw new Refusal(
          Refusal.Kind.INVALID_EDIT,
          "the edited arguments are not valid for tool '"
              + proposed.toolName()
              + "': "
              + String.join("; ", invalid.reasons())
              + "; approval "
              + approvalId
              + " is unchanged",
          invalid.reasons());
    }
    return road.policy().decide(proposed);
  }

  private void recordEdit(ApprovalRequest r, StoredInvocation s, ArgumentsEdit edit)
      throws Refusal {
    Ballot.Kind done;
    Transition t =
        Transition.edit(
            s.current(),
            edit,
            entries.approvalEvent(
                s.current().withArguments(edit.arguments()),
                InvocationState.AWAITING_APPROVAL,
                List.of(
                    "approval:" + r.approvalId(),
                    "edited-by:" + edit.editedBy(),
                    "edited-from:" + s.currentDigest(),
                    "edited-to:" + edit.digest()),
                null,
                null));
    try {
      done = approvals.edit(r.approvalId(), s.currentDigest(), t);
    } catch (StoreException e) {
      throw unavailable(e);
    }
    switch (done) {
      case STALE -> throw changed(r.approvalId(), s);
      case NOT_PENDING -> {
        refuseDecided(find(r.approvalId()));
        throw new Refusal(
            Refusal.Kind.DECIDED, "approval " + r.approvalId() + " was decided by someone else");
      }
      default -> {}
    }
    LOG.info(
        "approval {}: {} edited the arguments of invocation {}",
        r.approvalId(),
        edit.editedBy(),
        r.invocationId());
  }

  /** Ends the request denied: the policy in force forbids the arguments an approver edited in. */
  private Outcome denyEdit(ApprovalRequest r, Invocation call, String approver) throws Refusal {
    Decision d = call.decision();
    String detail =
        "the policy in force forbids the arguments approver "
            + approver
            + " edited in: "
            + d.reason();
    List<String> reasons = new ArrayList<>(d.ruleIds());
    reasons.add("approval:" + r.approvalId());
    decide(
        r,
        ApprovalStatus.DENIED,
        approver,
        detail,
        end(
            call,
            InvocationState.DENIED,
            new Ending(kind(DenialKind.POLICY), detail, reasons, null),
            entries.approvalEvent(
                call, InvocationState.DENIED, reasons, kind(DenialKind.POLICY), detail)));
    signals.decided(call.invocationId());
    return new Outcome.Denied(call, DenialKind.POLICY, detail, d.ruleIds());
  }

  /**
   * Denies the request (one of {@code operator}'s tenants): its call ends DENIED with the
   * approver's reason.
   */
  public Outcome deny(String approvalId, OperatorRef operator, String reason) throws Refusal {
    String approver = operator.id();
    ApprovalRequest r = pending(visible(approvalId, operator));
    return endDenied(r, stored(r), approver, reason);
  }

  /**
   * Denies request {@code r} (unless it is already) and ends its call DENIED, with its record, in
   * one transaction.
   */
  private Outcome endDenied(ApprovalRequest r, StoredInvocation s, String approver, String reason)
      throws Refusal {
    List<String> reasons = List.of("approval:" + r.approvalId(), "denied-by:" + approver);
    String detail = "approver " + approver + " denied this call: " + reason;
    Ending ending = new Ending(kind(DenialKind.APPROVAL_DENIED), detail, reasons, null);
    decide(
        r,
        ApprovalStatus.DENIED,
        approver,
        reason,
        end(
            s.current(),
            InvocationState.DENIED,
            ending,
            entries.approvalEvent(
                s.current(),
                InvocationState.DENIED,
                reasons,
                kind(DenialKind.APPROVAL_DENIED),
                detail)));
    signals.decided(s.invocationId());
    return new Outcome.Denied(s.current(), DenialKind.APPROVAL_DENIED, detail, reasons);
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
    if (!endExpired(r, stored(r))) {
      return false;
    }
    LOG.info("approval {} expired; invocation {} not executed", r.approvalId(), r.invocationId());
    return true;
  }

  /**
   * Expires request {@code r} (unless it is already) and ends its call EXPIRED, with its record, in
   * one transaction; false, changing nothing, when someone decided it first.
   */
  private boolean endExpired(ApprovalRequest r, StoredInvocation s) throws Refusal {
    String detail =
        "no approver decided before the deadline "
            + r.deadline()
            + "; the call was not executed. To try again, make the call again with a new idempotency key";
    List<String> reasons = List.of("approval:" + r.approvalId());
    Transition t =
        end(
            s.current(),
            InvocationState.EXPIRED,
            new Ending(kind(DenialKind.APPROVAL_EXPIRED), detail, reasons, null),
            entries.approvalEvent(
                s.current(),
                InvocationState.EXPIRED,
                reasons,
                kind(DenialKind.APPROVAL_EXPIRED),
                detail));
    boolean won = settle(r, ApprovalStatus.EXPIRED, DEADLINE, EXPIRED_REASON, t);
    if (won) {
      signals.decided(s.invocationId());
    }
    return won;
  }

  /**
   * Finishes the parked calls whose approvers gave the quorum but whose road never ran: the gateway
   * stopped, or the ledger failed, between the last vote and the call's move (which decides the
   * request in the same transaction, so the request is still pending). Also the calls a gateway
   * from before the ledger left parked under a decided request. Without this such a call would
   * await approval until its deadline. An approved call runs now, once, exactly as approved (after
   * the same tamper check an approval makes); a denied or expired one ends so. Only votes and
   * decisions older than {@code grace} are taken, so an approval whose own approver is still
   * resuming its call is left to it. Returns how many calls it finished.
   */
  public int finishDecided(Duration grace) throws Refusal {
    Instant before = clock.instant().minus(grace);
    int finished = 0;
    List<StoredInvocation> parked;
    try {
      parked = invocations.inState(InvocationState.AWAITING_APPROVAL);
    } catch (StoreException e) {
      throw unavailable(e);
    }
    for (StoredInvocation s : parked) {
      ApprovalRequest r;
      try {
        r = approvals.forInvocation(s.invocationId()).orElse(null);
      } catch (StoreException e) {
        throw unavailable(e);
      }
      ApprovalVote last = r == null || r.status() != ApprovalStatus.PENDING ? null : quorum(r, s);
      Instant decidedAt = last != null ? last.at() : r == null ? null : r.decidedAt();
      if (r == null
          || (r.status() == ApprovalStatus.PENDING && last == null)
          || decidedAt == null
          || decidedAt.isAfter(before)
          || !finishing.add(s.invocationId())) {
        continue;
      }
      try {
        LOG.warn(
            "approval {} was {} at {} but invocation {} still awaited approval (the gateway stopped or a store"
                + " failed in between); finishing it now",
            r.approvalId(),
            last != null ? "given its quorum" : r.status().wireName(),
            decidedAt,
            s.invocationId());
        switch (r.status()) {
          case PENDING, APPROVED -> {
            matchesAudit(r, s);
            resume(
                r,
                s.current(),
                s.currentDigest(),
                last != null ? last.approver() : r.decidedBy(),
                last != null ? last.reason() : r.reason());
          }
          case DENIED -> endDenied(r, s, r.decidedBy(), r.reason() == null ? "" : r.reason());
          case EXPIRED -> endExpired(r, s);
        }
        finished++;
      } finally {
        finishing.remove(s.invocationId());
      }
    }
    return finished;
  }

  /**
   * The vote that gave pending request {@code r} its quorum for the call's arguments now; null
   * while it has none.
   */
  private ApprovalVote quorum(ApprovalRequest r, StoredInvocation s) throws Refusal {
    List<ApprovalVote> counting;
    try {
      counting =
          approvals.votes(r.approvalId()).stream()
              .filter(v -> v.argumentsDigest().equals(s.currentDigest()))
              .toList();
    } catch (StoreException e) {
      throw unavailable(e);
    }
    return counting.size() >= r.required() ? counting.getLast() : null;
  }

  /**
   * Request {@code approvalId} when its call is of one of {@code operator}'s tenants; otherwise not
   * found, with the very refusal an unknown id gets, and before anything (an expiry) changes.
   */
  private ApprovalRequest visible(String approvalId, OperatorRef operator) throws Refusal {
    ApprovalRequest r = find(approvalId);
    Optional<StoredInvocation> s;
    try {
      s = invocations.find(r.invocationId());
    } catch (StoreException e) {
      throw unavailable(e);
    }
    if (s.isEmpty() || !operator.covers(s.get().invocation().tenant())) {
      throw notFound(approvalId);
    }
    return r;
  }

  private static Refusal notFound(String approvalId) {
    return new Refusal(Refusal.Kind.NOT_FOUND, "no approval request " + approvalId);
  }

  private ApprovalRequest pending(ApprovalRequest found) throws Refusal {
    ApprovalRequest r = found;
    String approvalId = r.approvalId();
    if (r.status() == ApprovalStatus.PENDING && r.pastDeadline(clock.instant())) {
      expire(r);
      r = find(approvalId);
    }
    refuseDecided(r);
    return r;
  }

  private static void refuseDecided(ApprovalRequest r) throws Refusal {
    switch (r.status()) {
      case PENDING -> {}
      case EXPIRED ->
          throw new Refusal(
              Refusal.Kind.EXPIRED,
              "approval "
                  + r.approvalId()
                  + " expired at "
                  + r.deadline()
                  + "; the agent must make the call again");
      case APPROVED, DENIED ->
          throw new Refusal(
              Refusal.Kind.DECIDED,
              "approval "
                  + r.approvalId()
                  + " was already "
                  + r.status().wireName()
                  + " by "
                  + r.decidedBy()
                  + " at "
                  + r.decidedAt());
    }
  }

  private static Refusal changed(String approvalId, StoredInvocation s) {
    return new Refusal(
        Refusal.Kind.ARGUMENTS_CHANGED,
        "the arguments of approval "
            + approvalId
            + " were edited since you read them"
            + (s.edit() == null ? "" : " (last by " + s.edit().editedBy() + ")")
            + "; nothing was recorded: show the request again and decide on its arguments now");
  }

  /** {@link #settle}, refusing when someone else decided the request first. */
  private void decide(
      ApprovalRequest r, ApprovalStatus to, String by, String reason, Transition then)
      throws Refusal {
    if (!settle(r, to, by, reason, then)) {
      refuseDecided(find(r.approvalId()));
      throw new Refusal(
          Refusal.Kind.DECIDED, "approval " + r.approvalId() + " was decided by someone else");
    }
  }

  /**
   * Decides pending request {@code r} and writes {@code then} (its call's move) in one transaction;
   * false when it is not pending. A request decided already (by a gateway before the ledger, whose
   * call was left parked) only has its call moved.
   */
  private boolean settle(
      ApprovalRequest r, ApprovalStatus to, String by, String reason, Transition then)
      throws Refusal {
    try {
      if (r.status() != ApprovalStatus.PENDING) {
        ledger.write(then);
        return true;
      }
      return approvals.decide(r.approvalId(), to, by, clock.instant(), reason, then);
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  private Ballot vote(ApprovalVote v, java.util.function.Function<Ballot, Transition> record)
      throws Refusal {
    try {
      return approvals.vote(v, record);
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  private int countFor(String approvalId, String digest) throws Refusal {
    try {
      return (int)
          approvals.votes(approvalId).stream()
              .filter(v -> v.argumentsDigest().equals(digest))
              .count();
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  /** The move of parked call {@code inv} to {@code to}, with its record. */
  private static Transition end(
      Invocation inv, InvocationState to, Ending ending, AuditEntry record) {
    return Transition.move(inv, InvocationState.AWAITING_APPROVAL, List.of(to), ending, record);
  }

  private void note(AuditEntry entry) throws Refusal {
    try {
      ledger.write(Transition.note(entry));
    } catch (StoreException e) {
      LOG.error("ledger unavailable while recording an approval event", e);
      throw new Refusal(
          Refusal.Kind.UNAVAILABLE,
          "the audit log cannot be written; retry later or ask an operator");
    }
  }

  private String digest(JsonNode arguments) {
    return AuditEntries.digest(json, arguments);
  }

  private ApprovalRequest find(String approvalId) throws Refusal {
    try {
      return approvals.find(approvalId).orElseThrow(() -> notFound(approvalId));
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  private View view(ApprovalRequest r) throws Refusal {
    try {
      return View.of(r, stored(r), approvals.votes(r.approvalId()));
    } catch (StoreException e) {
      throw unavailable(e);
    }
  }

  private StoredInvocation stored(ApprovalRequest r) throws Refusal {
    try {
      StoredInvocation s =
          invocations
              .find(r.invocationId())
              .orElseThrow(
                  () -> new Refusal(Refusal.Kind.NOT_FOUND, "no invocation " + r.invocationId()));
      if (r.status() == ApprovalStatus.PENDING && s.state() != InvocationState.AWAITING_APPROVAL) {
        throw new Refusal(
            Refusal.Kind.DECIDED,
            "invocation "
                + s.invocationId()
                + " is "
                + s.state()
                + ", no longer awaiting approval");
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
    return new Refusal(
        Refusal.Kind.UNAVAILABLE, "the approval store cannot be read or written; retry later");
  }

  /**
   * One approval request and the parked call it is about, in plain values: the edge shows it
   * without reaching into the approval room (ARCHITECTURE.md: the edge uses pipeline and
   * invocation). {@code status} is the wire name; the decision fields are null while pending.
   * {@code required} is how many distinct approvers it needs; {@code votes} every vote given, each
   * saying whether it counts (it approved the arguments the call has now).
   */
  public record View(
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
    public View {
      votes = List.copyOf(votes);
    }

    static View of(ApprovalRequest r, StoredInvocation invocation, List<ApprovalVote> votes) {
      String digest = invocation.currentDigest();
      return new View(
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

  /** Why an approver's request was refused; the message says what to do next. Nothing changed. */
  public static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    /** The kinds of refusal the approval API maps to problems. */
    public enum Kind {
      NOT_FOUND,
      DECIDED,
      EXPIRED,
      FOUR_EYES,
      UNAVAILABLE,
      /**
       * This approver already approved these arguments: another approver must give the next vote.
       */
      ALREADY_VOTED,
      /** The arguments were edited since the approver read them. */
      ARGUMENTS_CHANGED,
      /**
       * The edited arguments break the tool's schema or the size limits ({@link #violations()}).
       */
      INVALID_EDIT,
      /**
       * The stored call is not the one the audit log recorded when it was parked or last edited.
       */
      STORED_CALL_ALTERED
    }

    private final Kind kind;
    private final List<String> violations;

    public Refusal(Kind kind, String message) {
      this(kind, message, List.of());
    }

    public Refusal(Kind kind, String message, List<String> violations) {
      super(message);
      this.kind = kind;
      this.violations = List.copyOf(violations);
    }

    public Kind kind() {
      return kind;
    }

    /** What is wrong with an invalid edit, one entry per violation; empty otherwise. */
    public List<String> violations() {
      return violations;
    }
  }
}
