package dev.portcullis.service;

import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.NodeLease;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's place among the gateway nodes sharing a store: renews its lease ({@link
 * NodeLease}) every {@link #RENEW_EVERY}, and settles the calls that nodes whose lease lapsed left
 * executing ({@link InvocationRecovery}), as their own restart would have: a read ends failed, a
 * write is re-sent where its upstream honours keys, else flagged for reconciliation; none runs
 * again.
 *
 * <p>Concurrency: one daemon thread. Several nodes may sweep the same dead node's calls at once;
 * each call is moved by one of them (the ledger's moves compare and set), the others skip it.
 *
 * <p>Failure: a lease that cannot be renewed, or a sweep that fails, is logged and tried again at
 * the next tick; a node whose lease lapses while it still runs calls may see them flagged by
 * another node (never run twice: their endings then find them moved and are refused).
 */
public final class NodeKeeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeKeeper.class);

  /** How long a renewal holds. Nodes' clocks must agree to well within it. */
  public static final Duration LEASE = Duration.ofSeconds(15);

  /** How often the lease is renewed, and dead nodes' calls looked for. */
  static final Duration RENEW_EVERY = Duration.ofSeconds(3);

  private final NodeLease lease;
  private final InvocationRecovery recovery;
  private final Clock clock;
  private ScheduledExecutorService timer;

  public NodeKeeper(NodeLease lease, InvocationRecovery recovery, Clock clock) {
    this.lease = lease;
    this.recovery = recovery;
    this.clock = clock;
  }

  /** Takes the lease now, before this node settles or runs any call. */
  public void join() throws StoreException {
    lease.renew(clock.instant());
  }

  /** One turn: renew the lease, then settle what dead nodes left. */
  public void tick() {
    try {
      lease.renew(clock.instant());
    } catch (StoreException e) {
      LOG.warn("{}; trying again in {} s", e.getMessage(), RENEW_EVERY.toSeconds());
    }
    try {
      recovery.run();
    } catch (StoreException | RuntimeException e) {
      LOG.warn(
          "cannot settle the calls of nodes whose lease lapsed: {}; trying again in {} s",
          e.getMessage(),
          RENEW_EVERY.toSeconds());
    }
  }

  /** Ticks every {@link #RENEW_EVERY} on a daemon thread of its own until {@link #close}. */
  public synchronized void start() {
    if (timer != null) {
      return;
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "portcullis-node-lease");
              t.setDaemon(true);
              return t;
            });
    var _ =
        timer.scheduleWithFixedDelay(
            this::tick, RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops ticking and ends the lease (every call in flight has finished by now). */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
    lease.end();
  }
}
