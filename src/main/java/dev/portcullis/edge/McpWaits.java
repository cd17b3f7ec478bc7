package dev.portcullis.edge;

import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.service.ApprovalSignals;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds an MCP call open while the approval of a parked call is decided, up to a bound, and says
 * how the call stands at the end: ended (completed, failed, denied, expired, cancelled), or still
 * waiting.
 *
 * <p>Concurrency: each wait parks its own request thread (a virtual thread on this server, so no
 * platform thread is held) with {@link LockSupport}. It wakes to read the invocation store every
 * {@link #POLL} (so that a decision taken on another gateway node sharing the database is seen), at
 * once when this node decides the approval ({@link ApprovalSignals}), for each progress notice, at
 * the bound, and when the server closes ({@link #close}). A spurious wake-up only reads the store
 * again.
 *
 * <p>Time: the bound is measured on the monotonic {@link System#nanoTime()}, not the injected
 * clock: it is how long a client connection stays open, and a test clock that stands still must not
 * hold a call forever.
 *
 * <p>Failure: a store that cannot be read ends the wait with the last state seen; the caller then
 * answers "pending" and the agent asks again later. A client that went away (its progress notice
 * could not be written) ends the wait at once.
 */
final class McpWaits implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(McpWaits.class);

  /** How often a waiting call reads the invocation store. */
  static final Duration POLL = Duration.ofMillis(400);

  /** How often a waiting call whose client asked for progress is told it still waits. */
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  /** Tells the client it still waits; the {@code n}th notice of this wait. */
  interface Progress {
    /** False when the notice could not be delivered: the client has gone. */
    boolean send(int n);
  }

  private final InvocationStore invocations;
  private final ApprovalSignals signals;
  private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  McpWaits(InvocationStore invocations, ApprovalSignals signals) {
    this.invocations = invocations;
    this.signals = signals;
  }

  /**
   * Waits up to {@code bound} for invocation {@code invocationId} to settle, sending {@code
   * progress} (may be null) at once and every {@link #PROGRESS_EVERY}. Returns the call as last
   * read, or empty when it cannot be read.
   */
  Optional<StoredInvocation> await(String invocationId, Duration bound, Progress progress) {
    Thread me = Thread.currentThread();
    long end = System.nanoTime() + bound.toNanos();
    long nextProgress = System.nanoTime();
    int sent = 0;
    Optional<StoredInvocation> last = Optional.empty();
    waiting.add(me);
    ApprovalSignals.Subscription decided =
        signals.onDecided(invocationId, () -> LockSupport.unpark(me));
    try {
      while (true) {
        try {
          last = invocations.find(invocationId);
        } catch (InvocationStore.StoreException e) {
          LOG.warn(
              "cannot read invocation {} while waiting for its approval; answering with its last state",
              invocationId,
              e);
          return last;
        }
        if (last.isEmpty() || settled(last.get().state())) {
          return last;
        }
        long now = System.nanoTime();
        if (closed || now - end >= 0) {
          return last;
        }
        if (progress != null && now - nextProgress >= 0) {
          if (!progress.send(++sent)) {
            LOG.info(
                "the client waiting for invocation {} has gone; ending its wait", invocationId);
            return last;
          }
          nextProgress = now + PROGRESS_EVERY.toNanos();
        }
        long wake = Math.min(end - now, POLL.toNanos());
        if (progress != null) {
          wake = Math.min(wake, Math.max(0, nextProgress - now));
        }
        LockSupport.parkNanos(this, wake);
        if (Thread.interrupted()) {
          me.interrupt();
          return last;
        }
      }
    } finally {
      decided.close();
      waiting.remove(me);
    }
  }

  /** Ended, or stuck where only an operator can move it: nothing to wait for. */
  static boolean settled(InvocationState state) {
    return state.isTerminal() || state == InvocationState.NEEDS_RECONCILIATION;
  }

  /** Ends every wait now: each answers with the call's current state. Later waits end at once. */
  @Override
  public void close() {
    closed = true;
    waiting.forEach(LockSupport::unpark);
  }
}
