package dev.portcullis.pipeline;

import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Outcome;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state stage of an approved call's resumed road: the call is already recorded (it was parked
 * AWAITING_APPROVAL), so this stage only records how it ends. Never ends the call itself.
 */
final class ResumeStage implements Stage {
  private static final Logger LOG = LoggerFactory.getLogger(ResumeStage.class);

  private final StateWrites writes;

  ResumeStage(InvocationStore store, Clock clock) {
    this.writes = new StateWrites(store, clock);
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Outcome outcome = chain.proceed(invocation);
    try {
      writes.move(outcome.invocation(), outcome.state(), Ending.of(outcome));
    } catch (StoreException | IllegalStateException e) {
      LOG.error("cannot record that approved invocation {} ended {}: {}", outcome.invocation().invocationId(),
          outcome.state(), e.getMessage(), e);
    }
    return outcome;
  }
}
