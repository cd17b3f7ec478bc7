package dev.portcullis.invocation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable state of every invocation, outside any prompt: a gateway that dies mid-way finds
 * each call where it was and never guesses. The pipeline writes it at each transition; the REST
 * door reads it; approvals resume from it.
 *
 * <p>Concurrency: {@link #move} is a compare-and-set on the state the caller expects the call to be
 * in; of two callers racing to move a call out of the same state, exactly one wins and the other
 * gets {@link StateConflictException}. An idempotency key is claimed by at most one invocation per
 * tenant and agent, whoever inserts first.
 *
 * <p>Failure: every write is one transaction; a failed write changes nothing. A transition the
 * state machine does not have ({@link InvocationState#canMoveTo}) is a bug in the caller and is
 * refused with an {@link IllegalStateException} before anything is written.
 */
public interface InvocationStore {
  /**
   * Records {@code received} (state RECEIVED) and, when it has an idempotency key, claims the key
   * for its tenant and agent. When another invocation already holds that key, records nothing and
   * answers that holder.
   */
  Begun begin(Invocation received, String argumentsDigest) throws StoreException;

  /** Records {@code received} (state RECEIVED) without claiming its idempotency key. */
  StoredInvocation record(Invocation received, String argumentsDigest) throws StoreException;

  /**
   * Moves the call from {@code expected} through each state of {@code path} in turn, all at
   * {@code at}, in one transaction, and stores what {@code facts} learnt (tool, decision,
   * credential) and {@code ending} (may be null).
   *
   * @throws IllegalStateException when a step is not a transition of the state machine
   * @throws StateConflictException when the call is not recorded, or not in {@code expected}
   */
  void advance(Invocation facts, InvocationState expected, List<InvocationState> path, Ending ending, Instant at)
      throws StoreException;

  /** {@link #advance}, then the call as stored after it. */
  default StoredInvocation move(
      Invocation facts, InvocationState expected, List<InvocationState> path, Ending ending, Instant at)
      throws StoreException {
    advance(facts, expected, path, ending, at);
    String id = facts.invocationId();
    return find(id).orElseThrow(() -> new StoreException("invocation " + id + " vanished after its move"));
  }

  Optional<StoredInvocation> find(String invocationId) throws StoreException;

  /** Every call now in {@code state}, oldest first. */
  List<StoredInvocation> inState(InvocationState state) throws StoreException;

  /** What {@link #begin} did. */
  sealed interface Begun {
    /** The call is recorded and holds its key, if it has one. */
    record Started(StoredInvocation invocation) implements Begun {}

    /** Nothing was recorded: {@code holder} already holds the key. */
    record KeyHeld(StoredInvocation holder) implements Begun {}
  }

  /** The store cannot be read or written. */
  class StoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
      super(message, cause);
    }

    public StoreException(String message) {
      super(message);
    }
  }

  /** The call is not in the state the caller expected (another writer moved it), or not recorded. */
  final class StateConflictException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StateConflictException(String message) {
      super(message);
    }
  }
}
