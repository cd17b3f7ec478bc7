package dev.portcullis.pipeline;

import dev.portcullis.invocation.AuditEntry;
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
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers a repeated idempotency key, and records how every call ended: the call's row and its
 * audit record, one transition of the {@link Ledger}. The outermost stage: whatever the stages
 * inside decide, and whatever goes wrong in them, ends here on the record.
 *
 * <p>A call is not written on its way in: a refused call is one transition (its refusal), an
 * allowed one two (the commit stage's, before the effect, and its ending here), a parked one its
 * parking (the approval stage's). A key already held is answered before anything runs ({@link
 * KeyHolders}): a replay is recorded as a record of the retry, naming the first invocation; a
 * refusal as a refused call that does not claim the key.
 *
 * <p>Keys: a denied call keeps its key (the same request is denied again, by replay); a call that
 * failed before it ran does not, so its key is free for a retry once whatever failed is mended.
 *
 * <p>Failure: a refused call the ledger cannot record fails closed. An executed call whose ending
 * cannot be written still gets its real outcome (the effect happened, and telling the agent
 * otherwise would invite it to repeat the write); its row stays EXECUTING, which recovery finds
 * after the next start, and a blind retry with its key is refused as in flight.
 *
 * <p>Durability ({@code audit.durability}): with {@code strict}, the default, an executed call's
 * answer waits for its ending to be durable (two durable writes on its path); with {@code intent}
 * it goes out once the commit stage's record is durable, and the ending follows in the next group
 * commit ({@link DeferredEndings}): one durable write on the path, and a crash in between leaves
 * the call flagged for reconciliation, never lost. Refusals and parked calls are one write either
 * way, and a resumed call's ending is always written before its answer.
 */
public final class LedgerStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerStage.class);

  /** The reason on the audit record of a call that replayed an earlier one's outcome. */
  public static final String REPLAY = KeyHolders.REPLAY;

  private final Ledger ledger;
  private final InvocationStore store;
  private final AuditEntries entries;
  private final KeyHolders keys;
  private final Parked parked;
  private final DeferredEndings deferred;

  /** Told of each call parked for approval, once its record is in the log. Never throws. */
  @FunctionalInterface
  public interface Parked {
    Parked NONE = (invocation, approvalId) -> {};

    void recorded(Invocation invocation, String approvalId);
  }

  public LedgerStage(
      Ledger ledger, InvocationStore store, AuditEntries entries, JsonMapper json, Parked parked) {
    this(ledger, store, entries, json, parked, null);
  }

  /**
   * With {@code deferred} (null for {@code audit.durability: strict}), an executed call's ending is
   * written after its answer ({@code intent}).
   */
  public LedgerStage(
      Ledger ledger,
      InvocationStore store,
      AuditEntries entries,
      JsonMapper json,
      Parked parked,
      DeferredEndings deferred) {
    this.ledger = ledger;
    this.store = store;
    this.entries = entries;
    this.keys = new KeyHolders(json);
    this.parked = parked;
    this.deferred = deferred;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    if (invocation.idempotencyKey() != null) {
      Optional<StoredInvocation> holder;
      try {
        holder =
            store.keyHolder(
                invocation.tenant(), invocation.agent().id(), invocation.idempotencyKey());
      } catch (StoreException e) {
        LOG.error(
            "invocation store unavailable; not running invocation {}",
            invocation.invocationId(),
            e);
        return new Outcome.Failed(
            invocation,
            FailureKind.STORE_UNAVAILABLE,
            "the invocation store cannot be read,"
                + " so this call's idempotency key cannot be checked and nothing was executed; retry later");
      }
      if (holder.isPresent() && KeyHolders.other(invocation, holder.get())) {
        return end(invocation, keys.answer(invocation, holder.get()));
      }
    }
    return end(invocation, chain.proceed(invocation));
  }

  private Outcome end(Invocation invocation, Outcome outcome) {
    Invocation at = outcome.invocation();
    if (!at.invocationId().equals(invocation.invocationId())) {
      LOG.info(
          "invocation {} repeats idempotency key of invocation {}; giving its outcome again",
          invocation.invocationId(),
          at.invocationId());
      try {
        ledger.write(Transition.note(entries.replay(invocation, outcome)));
      } catch (StoreException e) {
        LOG.error(
            "cannot record that invocation {} replayed invocation {}",
            invocation.invocationId(),
            at.invocationId(),
            e);
      }
      return outcome;
    }
    if (at.state() == outcome.state()) { // the stage that ended it wrote it (a parked call)
      if (outcome instanceof Outcome.AwaitingApproval a) {
        parked.recorded(a.invocation(), a.approvalId());
      }
      return outcome;
    }
    try {
      Transition t = ending(at, outcome);
      if (deferred != null && at.state() == InvocationState.EXECUTING) {
        deferred.write(t);
        return outcome;
      }
      if (ledger.write(t) instanceof Ledger.Written.KeyHeld(StoredInvocation holder)) {
        return end(invocation, keys.answer(invocation, holder));
      }
      return outcome;
    } catch (StoreException | IllegalStateException | IllegalArgumentException e) {
      if (e instanceof StateConflictException && at.state() != InvocationState.EXECUTING) {
        LOG.info(
            "invocation {} was moved elsewhere before its ending here was recorded: {}",
            invocation.invocationId(),
            e.getMessage());
        return new Outcome.Failed(
            at,
            FailureKind.INTERNAL,
            "the call was decided elsewhere in the meantime, so nothing was executed here");
      }
      if (at.state() == InvocationState.EXECUTING) {
        LOG.error(
            "ledger unavailable: invocation {} (tool {}, agent {}) ended {} upstream but its ending could not"
                + " be recorded; the agent was given the real outcome and the call stays EXECUTING until recovery"
                + " ('portcullis invocations show {}'). Check the data directory and the disk.",
            invocation.invocationId(),
            invocation.toolName(),
            invocation.agent().id(),
            outcome.state(),
            invocation.invocationId(),
            e);
        return outcome;
      }
      LOG.error("ledger unavailable; failing invocation {} closed", invocation.invocationId(), e);
      if (at.state() == InvocationState.AWAITING_APPROVAL) {
        return new Outcome.Failed(
            at,
            FailureKind.STORE_UNAVAILABLE,
            "the call's ending cannot be recorded, so"
                + " nothing was executed; it still awaits approval: retry later or ask an operator");
      }
      return unavailable(at);
    }
  }

  /** The transition that records {@code outcome} of the call now at {@code at}. */
  private Transition ending(Invocation at, Outcome outcome) {
    AuditEntry record = entries.terminal(outcome);
    Ending ending = Ending.of(outcome);
    return switch (at.state()) {
      case RECEIVED, CHECKED ->
          Transition.open(
              at,
              record.argumentsDigest(),
              at.idempotencyKey() != null && keepsKey(outcome),
              at.state() == InvocationState.CHECKED
                  ? List.of(InvocationState.CHECKED, outcome.state())
                  : List.of(outcome.state()),
              ending,
              record);
      default -> Transition.move(at, at.state(), List.of(outcome.state()), ending, record);
    };
  }

  /**
   * Whether a call that ended so keeps its key: a denial does, a failure before any effect does
   * not.
   */
  private static boolean keepsKey(Outcome outcome) {
    return outcome instanceof Outcome.Denied && !KeyHolders.keyRefusal(outcome);
  }

  private static Outcome unavailable(Invocation inv) {
    return new Outcome.Failed(
        inv,
        FailureKind.AUDIT_UNAVAILABLE,
        "the ledger (audit log and invocation store) cannot be written, so nothing was executed; retry later or"
            + " ask an operator to check the data directory");
  }
}
