package dev.portcullis.pipeline;

import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import java.util.Optional;

/**
 * Captures the before-state of a write that declares one ({@link BeforeStateCapture}), after the
 * commit stage has recorded the call EXECUTING and before the execute stage runs it. A call whose
 * tool declares none passes straight on.
 *
 * <p>Failure: fail closed. When the state cannot be read, kept or audited, the call ends {@code
 * before_state_unavailable} here and the write never runs.
 */
public final class BeforeStateStage implements Stage {
  /** A stage for a catalog whose tools declare no before-state: every call passes on. */
  public static final BeforeStateStage NONE = new BeforeStateStage(null);

  private final BeforeStateCapture capture;

  public BeforeStateStage(BeforeStateCapture capture) {
    this.capture = capture;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Committed.require(invocation, "the before-state capture");
    if (capture != null) {
      Optional<Outcome.Failed> failed = capture.capture(invocation);
      if (failed.isPresent()) {
        return failed.get();
      }
    }
    return chain.proceed(invocation);
  }
}
