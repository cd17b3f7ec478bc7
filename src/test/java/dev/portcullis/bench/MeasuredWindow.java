package dev.portcullis.bench;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * Marks one scenario's measured window in a flight recording, so that {@link JfrCpuBreakdown} can
 * attribute CPU samples to it. Costs nothing when no recording runs.
 */
@Name("portcullis.bench.MeasuredWindow")
@Label("Measured window")
@Category("Portcullis benchmark")
@Description("The measured window of one benchmark scenario")
final class MeasuredWindow extends jdk.jfr.Event {
  @Label("Scenario")
  String scenario;

  @Label("Concurrency")
  int concurrency;
}
