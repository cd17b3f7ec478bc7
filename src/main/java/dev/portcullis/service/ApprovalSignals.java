package dev.portcullis.service;

import dev.portcullis.invocation.NodeSignals;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whoever waits on this node that a parked call's approval was decided here (approved and
 * run, denied, or expired), so that an MCP call held open for it answers at once rather than at its
 * next read of the invocation store.
 *
 * <p>On a store several nodes share, a decision taken here is also signalled to the other nodes
 * ({@link NodeSignals}), and one taken on another node arrives through {@link #decidedElsewhere}: a
 * call parked on node A and approved on node B answers at once on A.
 *
 * <p>Failure: only a hint. A lost signal (or one never sent: the other node died) is found by the
 * waiter's next read of the invocation store, which stays the one source of truth; a signal only
 * makes it read sooner.
 *
 * <p>Concurrency: a concurrent map of listener sets, changed only inside {@code compute}; a
 * listener runs on the deciding thread, so it must be quick and must not throw (it wakes a parked
 * thread).
 */
public final class ApprovalSignals {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalSignals.class);

  private final ConcurrentHashMap<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();
  private final NodeSignals nodes;

  /** Signals within this node only. */
  public ApprovalSignals() {
    this(NodeSignals.NONE);
  }

  /** Signals within this node, and to the other nodes through {@code nodes}. */
  public ApprovalSignals(NodeSignals nodes) {
    this.nodes = nodes;
  }

  /** A registration; closing it removes the listener. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Runs {@code listener} each time the approval of invocation {@code invocationId} is decided
   * here.
   */
  public Subscription onDecided(String invocationId, Runnable listener) {
    listeners.compute(
        invocationId,
        (id, set) -> {
          Set<Runnable> s = set == null ? ConcurrentHashMap.newKeySet() : set;
          s.add(listener);
          return s;
        });
    return () ->
        listeners.computeIfPresent(
            invocationId,
            (id, set) -> {
              set.remove(listener);
              return set.isEmpty() ? null : set;
            });
  }

  /** The approval of {@code invocationId} was decided and its call has ended (or was resumed). */
  void decided(String invocationId) {
    wake(invocationId);
    if (nodes.crossesNodes()) {
      nodes.send(NodeSignals.Signal.approvalDecided(invocationId));
    }
  }

  /**
   * Another node signalled that the approval of {@code invocationId} was decided: wake whoever
   * waits for it here, to read the store.
   */
  public void decidedElsewhere(String invocationId) {
    wake(invocationId);
  }

  private void wake(String invocationId) {
    Set<Runnable> set = listeners.get(invocationId);
    if (set == null) {
      return;
    }
    for (Runnable listener : set) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        LOG.warn("a listener for the decision on invocation {} failed", invocationId, e);
      }
    }
  }

  /** How many invocations have listeners (for tests of clean-up). */
  int watched() {
    return listeners.size();
  }
}
