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
 */
final class StateWrites {
  private final InvocationStore store;
  private final Clock clock;

  StateWrites(InvocationStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  StoredInvocation move(Invocation inv, InvocationState next, Ending ending) throws StoreException {
    String id = inv.invocationId();
    InvocationState stored = store.find(id).map(StoredInvocation::state)
        .orElseThrow(() -> new StateConflictException("no invocation " + id + " is recorded"));
    List<InvocationState> path;
    if (stored == inv.state()) {
      path = List.of(next);
    } else if (stored == InvocationState.RECEIVED && inv.state() == InvocationState.CHECKED) {
      path = List.of(InvocationState.CHECKED, next);
    } else {
      throw new StateConflictException(
          "invocation " + id + " is " + stored + " in the store but " + inv.state() + " in the pipeline");
    }
    return store.move(inv, stored, path, ending, clock.instant());
  }
}
