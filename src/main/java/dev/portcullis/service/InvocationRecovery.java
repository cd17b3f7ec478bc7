package dev.portcullis.service;

import dev.portcullis.catalog.RiskClass;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles, at start, the calls a gateway that was killed left half-way, without guessing. A write
 * left EXECUTING may or may not have taken effect upstream: it moves to NEEDS_RECONCILIATION for an
 * operator and is never re-executed. A read left EXECUTING changed nothing: it ends FAILED without
 * anyone's help. A call left RECEIVED or CHECKED never reached its connector (EXECUTING is durable
 * before the connector is called): it ends FAILED, nothing ran. The calls that end FAILED free
 * their idempotency key, so a retry with it runs rather than replaying the failure. A call
 * AWAITING_APPROVAL stays parked for its approvers; one whose request was decided before the stop
 * is finished by the approval sweep ({@link ApprovalFinisher#finishDecided}). Operators settle the
 * NEEDS_RECONCILIATION ones ({@link InvocationAdmin#settle}).
 *
 * <p>Each move and its audit record are one transition of the ledger. Calls left RECEIVED or
 * CHECKED come only from gateways before the ledger (which no longer writes a call before its first
 * transition). Runs before the edges open, while nothing else writes these calls.
 */
public final class InvocationRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(InvocationRecovery.class);
  static final String INTERRUPTED_DETAIL =
      "the gateway stopped while the call was executing; whether it took effect upstream is unknown, so it was"
          + " not executed again";
  static final String NEVER_RAN_DETAIL =
      "the gateway stopped before the call executed; nothing ran, call again";
  static final String READ_DETAIL =
      "the gateway stopped while this read was executing; a read changes nothing, so"
          + " it ended failed: call again (its idempotency key is free)";

  private final InvocationStore store;
  private final Ledger ledger;
  private final AuditEntries entries;

  public InvocationRecovery(InvocationStore store, Ledger ledger, AuditEntries entries) {
    this.store = store;
    this.ledger = ledger;
    this.entries = entries;
  }

  /** Moves every interrupted call; answers the ones now awaiting reconciliation. */
  public List<StoredInvocation> run() throws StoreException {
    List<StoredInvocation> reconcile = new ArrayList<>();
    for (StoredInvocation s : store.inState(InvocationState.EXECUTING)) {
      Invocation inv = s.invocation();
      if (inv.tool() != null && RiskClass.READ.wireName().equals(inv.tool().riskClass())) {
        Outcome.Failed failed = new Outcome.Failed(inv, FailureKind.INTERNAL, READ_DETAIL);
        ledger.write(
            Transition.move(
                    inv,
                    InvocationState.EXECUTING,
                    List.of(InvocationState.FAILED),
                    Ending.of(failed),
                    entries.terminal(failed))
                .releasingKey());
        LOG.info(
            "invocation {} (tool {}, a read) was EXECUTING when the gateway stopped; it changed nothing and is"
                + " now FAILED, its idempotency key free for a retry",
            inv.invocationId(),
            inv.toolName());
        continue;
      }
      ledger.write(
          Transition.move(
              inv,
              InvocationState.EXECUTING,
              List.of(InvocationState.NEEDS_RECONCILIATION),
              new Ending(Ending.INTERRUPTED, INTERRUPTED_DETAIL, List.of(), null),
              entries.interrupted(
                  inv.movedTo(InvocationState.NEEDS_RECONCILIATION), INTERRUPTED_DETAIL)));
      reconcile.add(
          store
              .find(inv.invocationId())
              .orElseThrow(
                  () ->
                      new StoreException(
                          "invocation " + inv.invocationId() + " vanished after it was moved")));
      LOG.warn(
          "invocation {} (tool {}, agent {}, trace {}, received {}) was EXECUTING when the gateway stopped:"
              + " it is now NEEDS_RECONCILIATION and will not be re-executed. Check in the system behind tool {}"
              + " whether the call took effect ('portcullis invocations show {}' shows its arguments and decision),"
              + " then settle it: 'portcullis invocations settle {} --as completed|failed|cancelled --reason ...'.",
          inv.invocationId(),
          inv.toolName(),
          inv.agent().id(),
          inv.traceId(),
          inv.receivedAt(),
          inv.toolName(),
          inv.invocationId(),
          inv.invocationId());
    }
    for (InvocationState never : List.of(InvocationState.RECEIVED, InvocationState.CHECKED)) {
      for (StoredInvocation s : store.inState(never)) {
        Outcome.Failed failed =
            new Outcome.Failed(s.invocation(), FailureKind.INTERNAL, NEVER_RAN_DETAIL);
        ledger.write(
            Transition.move(
                    s.invocation(),
                    never,
                    List.of(InvocationState.FAILED),
                    Ending.of(failed),
                    entries.terminal(failed))
                .releasingKey());
        LOG.info(
            "invocation {} (tool {}) was {} when the gateway stopped; it never ran and is now FAILED",
            s.invocationId(),
            s.invocation().toolName(),
            never);
      }
    }
    return reconcile;
  }
}
