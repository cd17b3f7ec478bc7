package dev.portcullis.invocation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable state of every invocation, outside any prompt, as the {@link Ledger} wrote it: a
 * gateway that dies mid-way finds each call where it was and never guesses. Reads only; the ledger
 * is the one writer.
 */
public interface InvocationStore {
  /**
   * The call that holds {@code idempotencyKey} for {@code tenant} and {@code agentId}, if one does.
   * A key is claimed by a call's first write ({@link Transition#open}); of two calls racing with
   * one key, one claims it and the other is answered with the holder.
   */
  Optional<StoredInvocation> keyHolder(String tenant, String agentId, String idempotencyKey)
      throws StoreException;

  Optional<StoredInvocation> find(String invocationId) throws StoreException;

  /** Every call now in {@code state}, oldest first. */
  List<StoredInvocation> inState(InvocationState state) throws StoreException;

  /**
   * The calls now in {@code state} that no live gateway node runs, oldest first: what a node may
   * settle as a restart would. On a store one gateway owns, every call in that state (it runs none
   * before its edges open); on a store several nodes share, the calls of nodes whose lease had
   * ended at {@code now}.
   */
  default List<StoredInvocation> orphaned(InvocationState state, Instant now)
      throws StoreException {
    return inState(state);
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

  /**
   * The call is not in the state the caller expected (another writer moved it), or not recorded.
   */
  final class StateConflictException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StateConflictException(String message) {
      super(message);
    }
  }
}
