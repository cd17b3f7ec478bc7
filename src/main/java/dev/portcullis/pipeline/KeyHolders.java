package dev.portcullis.pipeline;

import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.IdempotencyKeys;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.UserRef;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a call gets when its idempotency key is held by another call: the first call's outcome again
 * when it is the same request and has ended, a refusal otherwise.
 *
 * <p>Idempotency: a key is the agent's, per tenant. "The same request" is the same tool, for the
 * same delegating user, proven the same way (so no user gets another's stored outcome without the
 * policy deciding, and a refusal names the first call only to its own user; a revert's key, issued
 * by the gateway, names one compensation whoever asks), and the same arguments digest (SHA-256 of
 * the arguments as parsed, as in the audit record).
 */
final class KeyHolders {
  /** The reason on the audit record of a call that replayed an earlier one's outcome. */
  static final String REPLAY = "idempotent-replay";

  private final JsonMapper json;

  KeyHolders(JsonMapper json) {
    this.json = json;
  }

  /** Whether {@code holder} is another call than {@code inv} (a resumed call holds its own key). */
  static boolean other(Invocation inv, StoredInvocation holder) {
    return !holder.invocationId().equals(inv.invocationId());
  }

  /**
   * The answer to {@code inv}, whose key {@code first} holds: {@code first}'s outcome (an outcome
   * of another invocation: a replay) or a refusal of {@code inv}.
   */
  Outcome answer(Invocation inv, StoredInvocation first) {
    boolean same =
        first.invocation().toolName().equals(inv.toolName())
            && first.argumentsDigest().equals(AuditEntries.digest(json, inv.arguments()))
            && (UserRef.same(first.invocation().user(), inv.user()) || revert(inv));
    Outcome replay = same ? first.outcome() : null;
    if (replay != null) {
      return replay;
    }
    return same ? inFlight(inv, first) : reused(inv, first);
  }

  /** Whether {@code outcome} refuses a call because of its key, so the call must not claim it. */
  static boolean keyRefusal(Outcome outcome) {
    return outcome instanceof Outcome.Denied d
        && (d.kind() == DenialKind.IDEMPOTENCY_KEY_REUSED
            || d.kind() == DenialKind.IDEMPOTENCY_KEY_IN_FLIGHT);
  }

  /**
   * Whether the key is one the gateway issued for an operator's revert ({@link IdempotencyKeys},
   * which no agent may send): it names one compensation whichever operator asks for it.
   */
  private static boolean revert(Invocation inv) {
    return IdempotencyKeys.isRevert(inv.idempotencyKey());
  }

  /**
   * Refuses a key used before for another request. The first call is named only when it was made
   * for the same user: another user's call (or one made for nobody, or for a user the agent merely
   * asserted) is not this caller's to know of, not even by its id.
   */
  private static Outcome reused(Invocation inv, StoredInvocation first) {
    if (!UserRef.same(first.invocation().user(), inv.user())) {
      return new Outcome.Denied(
          inv,
          DenialKind.IDEMPOTENCY_KEY_REUSED,
          "this Idempotency-Key was already used for another request; use a new key for a new request",
          List.of());
    }
    return new Outcome.Denied(
        inv,
        DenialKind.IDEMPOTENCY_KEY_REUSED,
        "this Idempotency-Key was already used by invocation "
            + first.invocationId()
            + " for another request (tool "
            + first.invocation().toolName()
            + " with other arguments, or for another user); use a new key for a new"
            + " request",
        List.of(first.invocationId()));
  }

  private static Outcome inFlight(Invocation inv, StoredInvocation first) {
    String where =
        first.state() == InvocationState.NEEDS_RECONCILIATION
            ? "was interrupted by a gateway restart and awaits an operator's reconciliation"
            : "is still " + first.state().wireName() + "; retry later to get its outcome";
    return new Outcome.Denied(
        inv,
        DenialKind.IDEMPOTENCY_KEY_IN_FLIGHT,
        "this Idempotency-Key names invocation " + first.invocationId() + ", which " + where,
        List.of(first.invocationId()));
  }
}
