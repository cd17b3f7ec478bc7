package dev.portcullis.invocation;

import dev.portcullis.invocation.InvocationStore.StoreException;

/**
 * The one writer of invocation state and audit records: each {@link Transition} writes a call's row
 * and its audit record in one transaction, so the stored state and the tamper-evident log never
 * disagree, whenever the process dies. Nothing else writes either (an architecture test holds the
 * rest of the code to that); the {@link InvocationStore} and the audit log only read.
 *
 * <p>Durability: {@link #write} returns once its transaction is durable. Writes waiting at the same
 * moment share one transaction (group commit), each in a savepoint of its own, so one that fails
 * fails alone.
 *
 * <p>Failure: a write that cannot be made durable throws {@link StoreException} and leaves nothing
 * behind: no row without its record, no record without its row. A move that finds the call
 * elsewhere than expected throws {@link InvocationStore.StateConflictException}, also writing
 * nothing.
 */
public interface Ledger {
  /** Writes {@code t}, row and record, in one transaction. */
  Written write(Transition t) throws StoreException;

  /** What a write did. */
  sealed interface Written {
    /** Written. */
    record Done() implements Written {}

    /** Nothing was written: the call's idempotency key is held by {@code holder}. */
    record KeyHeld(StoredInvocation holder) implements Written {}
  }
}
