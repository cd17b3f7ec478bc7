package dev.portcullis.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What one measured window of one scenario produced. Latencies of successful requests only, in
 * nanoseconds; {@code errors} counts failed or unexpected answers.
 */
record LoadResult(
    String scenario,
    int concurrency,
    long requests,
    long errors,
    long elapsedNanos,
    Histogram latency,
    long processCpuNanos,
    double otherCpuShare,
    double loadAverage,
    String firstError) {

  double throughput() {
    return requests / (elapsedNanos / 1e9);
  }

  double percentileMillis(double percentile) {
    return latency.getTotalCount() == 0
        ? Double.NaN
        : latency.getValueAtPercentile(percentile) / 1e6;
  }

  double meanMicros() {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getMean() / 1e3;
  }

  /** CPU time this JVM (client, gateway and Acme together) spent per completed request. */
  double cpuMicrosPerRequest() {
    long done = requests + errors;
    return done == 0 ? Double.NaN : TimeUnit.NANOSECONDS.toMicros(processCpuNanos) / (double) done;
  }
}
