package dev.portcullis.pipeline;

import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StateConflictException;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.StoredInvocation;
import java.time.Clock;
import java.util.List;

/**
 * Writes an invocation's next state to the store. The stored row follows the envelope everywhere
 * but at CHECKED: the policy stage moves the envelope there in memory only, and the next write
 * records CHECKED and the next state together, in one transaction.
 *
 * <p>The write assumes that rule and reads nothing first; only when the store's compare-and-set
 * finds the row elsewhere does it read the row, to take the other path or report the conflict.
 */
final class StateWrites {
  private final InvocationStore store;
  private final Clock clock;

  StateWrites(InvocationStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  void move(Invocation inv, InvocationState next, Ending ending) throws StoreException {
    boolean checkedInMemory = inv.state() == InvocationState.CHECKED;
    try {
      store.advance(inv, checkedInMemory ? InvocationState.RECEIVED : inv.state(),
          checkedInMemory ? List.of(InvocationState.CHECKED, next) : List.of(next), ending, clock.instant());
      return;
    } catch (StateConflictException expectedElsewhere) {
      // Read the row and take the path from where it is, or report where it is.
    }
    String id = inv.invocationId();
    InvocationState stored = store.find(id).map(StoredInvocation::state)
        .orElseThrow(() -> new StateConflictException("no invocation " + id + " is recorded"));
    if (stored == inv.state()) {
      store.advance(inv, stored, List.of(next), ending, clock.instant());
    } else {
      throw new StateConflictException(
          "invocation " + id + " is " + stored + " in the store but " + inv.state() + " in the pipeline");
    }
  }
}
