package dev.portcullis.pipeline;

import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.UserRef;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records every call in the invocation store as it enters and as it ends, and answers a repeated
 * idempotency key: the same request gets the first call's outcome again without running, another
 * request or a call still under way is refused. Ends the call when the store cannot record it.
 *
 * <p>Idempotency: a key is the agent's, per tenant. "The same request" is the same tool, for the
 * same delegating user, proven the same way (so no user gets another's stored outcome without the
 * policy deciding, and a refusal names the first call only to its own user; a
 * revert's key, issued by the gateway, names one compensation whoever asks), and the same arguments
 * digest (SHA-256 of the arguments as parsed, as in the audit record). A replay is
 * not recorded as a call of its own; the audit stage records it, naming the first invocation.
 *
 * <p>Failure: a call the store cannot record is failed before anything runs. When the ending cannot
 * be recorded the outcome still goes back to the agent (the effect has happened) and the row stays
 * where it was: a row left EXECUTING is reconciled by an operator after the next start.
 */
public final class StateStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(StateStage.class);
  /** The reason on the audit record of a call that replayed an earlier one's outcome. */
  public static final String REPLAY = "idempotent-replay";

  private final InvocationStore store;
  private final StateWrites writes;
  private final JsonMapper json;

  public StateStage(InvocationStore store, JsonMapper json, Clock clock) {
    this.store = store;
    this.writes = new StateWrites(store, clock);
    this.json = json;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    String digest = AuditEntries.digest(json, invocation.arguments());
    InvocationStore.Begun begun;
    try {
      begun = store.begin(invocation, digest);
    } catch (StoreException e) {
      LOG.error("invocation store unavailable; not running invocation {}", invocation.invocationId(), e);
      return unavailable(invocation);
    }
    if (!(begun instanceof InvocationStore.Begun.KeyHeld(StoredInvocation first))) {
      return end(chain.proceed(invocation));
    }
    boolean same = first.invocation().toolName().equals(invocation.toolName()) && first.argumentsDigest().equals(digest)
        && (UserRef.same(first.invocation().user(), invocation.user()) || revert(invocation));
    Outcome replay = same ? first.outcome() : null;
    if (replay != null) {
      LOG.info("invocation {} repeats idempotency key of invocation {}; giving its outcome again",
          invocation.invocationId(), first.invocationId());
      return replay;
    }
    try {
      store.record(invocation, digest);
    } catch (StoreException e) {
      LOG.error("invocation store unavailable; not running invocation {}", invocation.invocationId(), e);
      return unavailable(invocation);
    }
    return end(same ? inFlight(invocation, first) : reused(invocation, first));
  }

  /**
   * Whether the key is one the gateway issued for an operator's revert ({@link Reverts#KEY_PREFIX},
   * which no agent may send): it names one compensation whichever operator asks for it.
   */
  private static boolean revert(Invocation inv) {
    return inv.idempotencyKey() != null && inv.idempotencyKey().startsWith(Reverts.KEY_PREFIX);
  }

  private Outcome end(Outcome outcome) {
    try {
      writes.move(outcome.invocation(), outcome.state(), Ending.of(outcome));
    } catch (StoreException | IllegalStateException e) {
      LOG.error("cannot record that invocation {} ended {}: {}", outcome.invocation().invocationId(),
          outcome.state(), e.getMessage(), e);
    }
    return outcome;
  }

  /**
   * Refuses a key used before for another request. The first call is named only when it was made
   * for the same user: another user's call (or one made for nobody, or for a user the agent merely
   * asserted) is not this caller's to know of, not even by its id.
   */
  private static Outcome reused(Invocation inv, StoredInvocation first) {
    if (!UserRef.same(first.invocation().user(), inv.user())) {
      return new Outcome.Denied(inv, DenialKind.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was already used for another request; use a new key for a new request", List.of());
    }
    return new Outcome.Denied(inv, DenialKind.IDEMPOTENCY_KEY_REUSED,
        "this Idempotency-Key was already used by invocation " + first.invocationId() + " for another request (tool "
            + first.invocation().toolName() + " with other arguments, or for another user); use a new key for a new"
            + " request",
        List.of(first.invocationId()));
  }

  private static Outcome inFlight(Invocation inv, StoredInvocation first) {
    String where = first.state() == InvocationState.NEEDS_RECONCILIATION
        ? "was interrupted by a gateway restart and awaits an operator's reconciliation"
        : "is still " + first.state().name().toLowerCase(java.util.Locale.ROOT) + "; retry later to get its outcome";
    return new Outcome.Denied(inv, DenialKind.IDEMPOTENCY_KEY_IN_FLIGHT,
        "this Idempotency-Key names invocation " + first.invocationId() + ", which " + where,
        List.of(first.invocationId()));
  }

  private static Outcome unavailable(Invocation inv) {
    return new Outcome.Failed(inv, FailureKind.STORE_UNAVAILABLE,
        "the invocation store cannot be written, so nothing was executed; retry later or ask an operator");
  }
}
