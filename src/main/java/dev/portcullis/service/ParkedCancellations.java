package dev.portcullis.service;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.UserRef;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent that made a parked call takes it back before anyone decides it (the MCP edge's {@code
 * tasks/cancel}): its approval request is decided cancelled and the call ends CANCELLED, never
 * having run, with its audit record naming the approval and {@code cancelled-by:agent:ID}, in one
 * transaction.
 *
 * <p>Security: only the agent that made the call (same agent id and tenant), acting for the same
 * user (none for a call made for nobody), may cancel it; any other id is refused exactly as an
 * unknown one, so ids cannot be probed.
 *
 * <p>Concurrency: the decision is the approval store's compare-and-set from pending, so a cancel
 * racing an approval, a denial or the expiry sweep either wins (the call never runs) or is refused
 * as decided (the call runs, or ended, as the winner said). A call that has started executing or
 * has ended cannot be cancelled here.
 */
public final class ParkedCancellations {
  private static final Logger LOG = LoggerFactory.getLogger(ParkedCancellations.class);

  /** How an agent is named as the one who cancelled: {@code agent:ID}. */
  static final String AGENT = "agent:";

  private static final String REASON = "cancelled by the agent that made the call";

  private final ApprovalStore approvals;
  private final InvocationStore invocations;
  private final ApprovalLookup lookup;
  private final ApprovalExpiry expiry;
  private final ApprovalSettlement settlement;
  private final ApprovalSignals signals;

  public ParkedCancellations(
      ApprovalStore approvals,
      InvocationStore invocations,
      ApprovalLookup lookup,
      ApprovalExpiry expiry,
      ApprovalSettlement settlement,
      ApprovalSignals signals) {
    this.approvals = approvals;
    this.invocations = invocations;
    this.lookup = lookup;
    this.expiry = expiry;
    this.settlement = settlement;
    this.signals = signals;
  }

  /**
   * Cancels parked call {@code invocationId} of {@code agent} acting for {@code user} (null when
   * for nobody). Refused NOT_FOUND when it is not theirs or not known, DECIDED when it no longer
   * awaits approval (it runs or ended), EXPIRED when its deadline passed first.
   */
  public Outcome cancel(String invocationId, AgentRef agent, UserRef user) throws ApprovalRefusal {
    StoredInvocation s;
    ApprovalRequest r;
    try {
      s =
          invocations
              .find(invocationId)
              .filter(x -> x.invocation().madeFor(agent, user))
              .orElseThrow(() -> notFound(invocationId));
      if (s.state() != InvocationState.AWAITING_APPROVAL) {
        throw notParked(s);
      }
      r = approvals.forInvocation(invocationId).orElseThrow(() -> notParked(s));
    } catch (StoreException e) {
      throw ApprovalRefusal.unavailable(e);
    }
    ApprovalRequest pending = expiry.pendingNow(r);
    Outcome outcome = endCancelled(pending, lookup.stored(pending), AGENT + agent.id());
    LOG.info(
        "agent {} (tenant {}) cancelled invocation {} while it awaited approval {}",
        agent.id(),
        agent.tenant(),
        invocationId,
        pending.approvalId());
    return outcome;
  }

  /**
   * Decides request {@code r} cancelled by {@code by} (unless it is already) and ends its call
   * CANCELLED, with its record, in one transaction; refused when someone decided it first.
   */
  Outcome endCancelled(ApprovalRequest r, StoredInvocation s, String by) throws ApprovalRefusal {
    List<AuditReason> events =
        List.of(new AuditReason.Approval(r.approvalId()), new AuditReason.CancelledBy(by));
    String detail = by + " cancelled this call while it awaited approval; it was not executed";
    settlement.decide(
        r,
        ApprovalStatus.CANCELLED,
        by,
        REASON,
        settlement.refuse(
            s.current(), InvocationState.CANCELLED, DenialKind.CANCELLED, detail, events));
    signals.decided(s.invocationId());
    return new Outcome.Denied(s.current(), DenialKind.CANCELLED, detail, AuditReason.wire(events));
  }

  private static ApprovalRefusal notFound(String invocationId) {
    return new ApprovalRefusal(ApprovalRefusal.Kind.NOT_FOUND, "no invocation " + invocationId);
  }

  private static ApprovalRefusal notParked(StoredInvocation s) {
    return new ApprovalRefusal(
        ApprovalRefusal.Kind.DECIDED,
        "invocation "
            + s.invocationId()
            + " is "
            + s.state().wireName()
            + ", no longer awaiting approval; it can no longer be cancelled");
  }
}
