package dev.portcullis.pipeline;

import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Transition;
import java.time.Duration;
import java.util.concurrent.Phaser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endings of executed calls under {@code audit.durability: intent}: each is written on a
 * virtual thread of its own, joining the ledger's next group commit, after the agent has its
 * answer. {@link #close} waits for the ones under way, so a clean stop loses none; a crash leaves
 * their calls EXECUTING, which recovery flags for reconciliation.
 */
public final class DeferredEndings implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeferredEndings.class);

  private final Ledger ledger;
  private final Duration drain;
  private final Phaser underWay = new Phaser(1);

  public DeferredEndings(Ledger ledger, Duration drain) {
    this.ledger = ledger;
    this.drain = drain;
  }

  /** Writes {@code ending} soon; never throws. A write that fails is logged at ERROR. */
  void write(Transition ending) {
    underWay.register();
    try {
      Thread.ofVirtual()
          .name("ledger-ending")
          .start(
              () -> {
                try {
                  ledger.write(ending);
                } catch (StoreException | RuntimeException e) {
                  LOG.error(
                      "ledger unavailable: the ending of invocation {} ({}) could not be recorded after its answer; it"
                          + " stays EXECUTING and is flagged for reconciliation at the next start ('portcullis invocations"
                          + " show {}'). Check the data directory and the disk.",
                      ending.record().invocationId(),
                      ending.to(),
                      ending.record().invocationId(),
                      e);
                } finally {
                  underWay.arriveAndDeregister();
                }
              });
    } catch (RuntimeException e) {
      underWay.arriveAndDeregister();
      throw e;
    }
  }

  /** Waits up to the drain for the endings under way. */
  @Override
  public void close() {
    int phase = underWay.arrive();
    try {
      underWay.awaitAdvanceInterruptibly(
          phase, drain.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn(
          "{} call ending(s) still being recorded after {}; recovery flags any that did not make it",
          underWay.getRegisteredParties() - 1,
          drain);
    }
  }
}
