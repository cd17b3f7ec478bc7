package dev.portcullis.service;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whoever waits on this node that a parked call's approval was decided here (approved and
 * run, denied, or expired), so that an MCP call held open for it answers at once rather than at its
 * next read of the invocation store.
 *
 * <p>Failure: only a hint. A decision taken on another gateway node is never signalled here; the
 * waiter finds it by reading the invocation store, which stays the one source of truth.
 *
 * <p>Concurrency: a concurrent map of listener sets, changed only inside {@code compute}; a
 * listener runs on the deciding thread, so it must be quick and must not throw (it wakes a parked
 * thread).
 */
public final class ApprovalSignals {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalSignals.class);

  private final ConcurrentHashMap<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();

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
