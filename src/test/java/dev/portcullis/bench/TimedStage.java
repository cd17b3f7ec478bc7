package dev.portcullis.bench;

import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.pipeline.Stage;
import org.HdrHistogram.Recorder;

/**
 * Wraps one stage and records its self time: the time spent in its {@code handle} minus the time
 * spent downstream in {@code proceed}. Never ends a call itself; adds four {@code nanoTime} reads.
 * The outermost one also records the pipeline's inclusive time.
 */
final class TimedStage implements Stage {
  private final Stage stage;
  private final Recorder self;
  private final Recorder inclusive;

  TimedStage(Stage stage, Recorder self, Recorder inclusive) {
    this.stage = stage;
    this.self = self;
    this.inclusive = inclusive;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    TimingChain timing = new TimingChain(chain);
    long start = System.nanoTime();
    try {
      return stage.handle(invocation, timing);
    } finally {
      long elapsed = System.nanoTime() - start;
      self.recordValue(Math.max(0, elapsed - timing.downstreamNanos));
      if (inclusive != null) {
        inclusive.recordValue(elapsed);
      }
    }
  }

  /**
   * Delegates to the real chain (which keeps enforcing the chain's rules) and times the rest of the
   * road.
   */
  private static final class TimingChain implements Chain {
    private final Chain delegate;
    private long downstreamNanos;

    TimingChain(Chain delegate) {
      this.delegate = delegate;
    }

    @Override
    public Invocation invocation() {
      return delegate.invocation();
    }

    @Override
    public Outcome proceed(Invocation invocation) {
      long start = System.nanoTime();
      try {
        return delegate.proceed(invocation);
      } finally {
        downstreamNanos += System.nanoTime() - start;
      }
    }
  }
}
