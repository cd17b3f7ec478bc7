package dev.portcullis.bench;

import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A copy of a pipeline with every stage wrapped in a {@link TimedStage}, and the per-stage self
 * times it records (nanoseconds). {@link #reset} starts a new window; {@link #take} ends it.
 *
 * <p>Concurrency: {@link Recorder} takes values from any thread without locks; reset and take are
 * called by the one benchmark thread.
 */
final class StageTimes {
  static final String PIPELINE = "pipeline (inclusive)";

  private final Map<String, Recorder> recorders = new LinkedHashMap<>();
  private final Pipeline pipeline;

  StageTimes(List<Stage> stages) {
    Recorder inclusive = new Recorder(3);
    List<Stage> timed = new ArrayList<>();
    for (Stage stage : stages) {
      Recorder self = new Recorder(3);
      recorders.put(stage.getClass().getSimpleName(), self);
      timed.add(new TimedStage(stage, self, timed.isEmpty() ? inclusive : null));
    }
    recorders.put(PIPELINE, inclusive);
    this.pipeline = new Pipeline(timed);
  }

  Pipeline pipeline() {
    return pipeline;
  }

  void reset() {
    recorders.values().forEach(Recorder::reset);
  }

  /**
   * The self time of each stage since the last reset, in pipeline order, then the pipeline's
   * inclusive time.
   */
  Map<String, Histogram> take() {
    Map<String, Histogram> window = new LinkedHashMap<>();
    recorders.forEach((name, r) -> window.put(name, r.getIntervalHistogram()));
    return window;
  }
}
