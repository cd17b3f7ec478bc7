package dev.portcullis.service;

import dev.portcullis.catalog.RiskClass;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StateConflictException;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles, at start, the calls a gateway that was killed left half-way, without guessing. A write
 * left EXECUTING may or may not have taken effect upstream. When its connector declares that the
 * upstream honours idempotency keys and the call carries one, it is re-sent once under the same
 * upstream key and recorded with the outcome the upstream gives ({@link RecoveryResends}); every
 * other one moves to NEEDS_RECONCILIATION for an operator and is never re-executed, as is a re-sent
 * one whose answer does not settle it. A read left EXECUTING changed nothing: it ends FAILED
 * without anyone's help. A call left RECEIVED or CHECKED never reached its connector (EXECUTING is
 * durable before the connector is called): it ends FAILED, nothing ran. The calls that end FAILED
 * here free their idempotency key, so a retry with it runs rather than replaying the failure. A
 * call AWAITING_APPROVAL stays parked for its approvers; one whose request was decided before the
 * stop is finished by the approval sweep ({@link ApprovalFinisher#finishDecided}). Operators settle
 * the NEEDS_RECONCILIATION ones ({@link InvocationAdmin#settle}).
 *
 * <p>Each move and its audit record are one transition of the ledger. Calls left RECEIVED or
 * CHECKED come only from gateways before the ledger (which no longer writes a call before its first
 * transition). Runs before the edges open, while nothing else writes these calls. One log line per
 * call says what was done with it (ids, tool, connector, kinds; never a key, credential or
 * argument).
 *
 * <p>Concurrency: the re-sends run at the same time, each on its own virtual thread, so start-up
 * waits about as long as the slowest one (each is bounded by its connector's timeouts), not their
 * sum.
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
  private final RecoveryResends resends;

  /** Recovery where no connector declares that its upstream honours idempotency keys. */
  public InvocationRecovery(InvocationStore store, Ledger ledger, AuditEntries entries) {
    this(store, ledger, entries, null);
  }

  /** Recovery that re-sends the interrupted writes {@code resends} lets through. */
  public InvocationRecovery(
      InvocationStore store, Ledger ledger, AuditEntries entries, RecoveryResends resends) {
    this.store = store;
    this.ledger = ledger;
    this.entries = entries;
    this.resends = resends;
  }

  /**
   * Moves every interrupted call that no live node runs ({@link InvocationStore#orphaned}); answers
   * the ones now awaiting reconciliation. On a store several nodes share, a call another node
   * settles first is left to it: its move wins, this one writes nothing.
   */
  public List<StoredInvocation> run() throws StoreException {
    List<StoredInvocation> reconcile = new ArrayList<>();
    List<StoredInvocation> resend = new ArrayList<>();
    Instant now = entries.now();
    for (StoredInvocation s : store.orphaned(InvocationState.EXECUTING, now)) {
      try {
        settleExecuting(s, reconcile, resend);
      } catch (StateConflictException e) {
        LOG.info("invocation {} was settled by another node: {}", s.invocationId(), e.getMessage());
      }
    }
    for (StoredInvocation s : resendAll(resend)) {
      reconcile.add(reread(s.invocation()));
    }
    for (InvocationState never : List.of(InvocationState.RECEIVED, InvocationState.CHECKED)) {
      for (StoredInvocation s : store.orphaned(never, now)) {
        try {
          failNeverRan(s, never);
        } catch (StateConflictException e) {
          LOG.info(
              "invocation {} was settled by another node: {}", s.invocationId(), e.getMessage());
        }
      }
    }
    return reconcile;
  }

  /**
   * A call left EXECUTING: a read ends FAILED; a write goes to {@code resend}, or to
   * NEEDS_RECONCILIATION and into {@code reconcile}.
   */
  private void settleExecuting(
      StoredInvocation s, List<StoredInvocation> reconcile, List<StoredInvocation> resend)
      throws StoreException {
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
      return;
    }
    Optional<String> notResent =
        resends == null
            ? Optional.of("no connector declares upstreamHonoursIdempotencyKeys")
            : resends.whyNot(s);
    if (notResent.isEmpty()) {
      resend.add(s);
      return;
    }
    ledger.write(
        Transition.move(
            inv,
            InvocationState.EXECUTING,
            List.of(InvocationState.NEEDS_RECONCILIATION),
            new Ending(Ending.INTERRUPTED, INTERRUPTED_DETAIL, List.of(), null),
            entries.interrupted(
                inv.movedTo(InvocationState.NEEDS_RECONCILIATION), INTERRUPTED_DETAIL)));
    reconcile.add(reread(inv));
    LOG.warn(
        "invocation {} (tool {}, agent {}, trace {}, received {}) was EXECUTING when the gateway stopped:"
            + " it is now NEEDS_RECONCILIATION and will not be re-executed (not re-sent: {}). Check in the"
            + " system behind tool {} whether the call took effect ('portcullis invocations show {}' shows its"
            + " arguments and decision), then settle it: 'portcullis invocations settle {} --as"
            + " completed|failed|cancelled --reason ...'.",
        inv.invocationId(),
        inv.toolName(),
        inv.agent().id(),
        inv.traceId(),
        inv.receivedAt(),
        notResent.get(),
        inv.toolName(),
        inv.invocationId(),
        inv.invocationId());
  }

  /** A call left RECEIVED or CHECKED never reached its connector: it ends FAILED. */
  private void failNeverRan(StoredInvocation s, InvocationState never) throws StoreException {
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

  /**
   * Re-sends {@code calls}, all at once, each on its own virtual thread; answers the ones whose
   * re-send did not settle them.
   */
  private List<StoredInvocation> resendAll(List<StoredInvocation> calls) throws StoreException {
    List<Future<Optional<StoredInvocation>>> running = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (StoredInvocation s : calls) {
        running.add(threads.submit(() -> resendOne(s)));
      }
    }
    List<StoredInvocation> unsettled = new ArrayList<>();
    StoreException failed = null;
    for (Future<Optional<StoredInvocation>> f : running) {
      try {
        f.get().ifPresent(unsettled::add);
      } catch (ExecutionException e) {
        StoreException cause =
            e.getCause() instanceof StoreException se
                ? se
                : new StoreException("a re-send failed: " + e.getCause(), e.getCause());
        if (failed == null) {
          failed = cause;
        } else {
          failed.addSuppressed(cause);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted while re-sending interrupted calls", e);
      }
    }
    if (failed != null) {
      throw failed;
    }
    return unsettled;
  }

  /** Re-sends one call and logs what came of it; answers it when it still needs an operator. */
  private Optional<StoredInvocation> resendOne(StoredInvocation s) throws StoreException {
    Invocation inv = s.invocation();
    RecoveryResends.Resent resent = resends.resend(s);
    switch (resent) {
      case RecoveryResends.Resent.Settled(Outcome outcome) -> {
        LOG.info(
            "invocation {} (tool {}, connector {}) was EXECUTING when the gateway stopped; its upstream honours"
                + " idempotency keys, so it was re-sent once under the same key and is now {}{}",
            inv.invocationId(),
            inv.toolName(),
            inv.tool().connector(),
            outcome.state(),
            outcome instanceof Outcome.Failed f
                ? " (" + f.kind().name().toLowerCase(java.util.Locale.ROOT) + ")"
                : "");
        return Optional.empty();
      }
      case RecoveryResends.Resent.Unsettled(FailureKind kind) -> {
        LOG.warn(
            "invocation {} (tool {}, connector {}, agent {}, trace {}) was EXECUTING when the gateway stopped"
                + " and was re-sent once on recovery, but the answer ({}) does not settle whether it took effect:"
                + " it is now NEEDS_RECONCILIATION and will not be re-executed. Check in the system behind"
                + " tool {} whether the call took effect, then settle it: 'portcullis invocations settle {} --as"
                + " completed|failed|cancelled --reason ...'.",
            inv.invocationId(),
            inv.toolName(),
            inv.tool().connector(),
            inv.agent().id(),
            inv.traceId(),
            kind.name().toLowerCase(java.util.Locale.ROOT),
            inv.toolName(),
            inv.invocationId());
        return Optional.of(s);
      }
    }
  }

  private StoredInvocation reread(Invocation inv) throws StoreException {
    return store
        .find(inv.invocationId())
        .orElseThrow(
            () ->
                new StoreException(
                    "invocation " + inv.invocationId() + " vanished after it was moved"));
  }
}
