package dev.portcullis.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Formats results as Markdown tables. Times in the load table are milliseconds; elsewhere
 * microseconds.
 */
final class Report {
  /** An instrumented run: its load result and the self time of each stage in the same window. */
  record Breakdown(String label, LoadResult load, Map<String, Histogram> stages) {}

  private static final Map<String, String> STAGE_NOTES =
      Map.of(
          "AuditStage", "audit (terminal record: 1 append + fsync)",
          "CatalogStage", "catalog",
          "ValidateStage", "validate (JSON Schema)",
          "PolicyStage", "policy (grants, CEL)",
          "LimitsStage", "limits",
          "ApprovalStage", "approval",
          "FilterStage", "filter",
          "CommitStage", "commit (write-ahead record: 1 append + fsync)",
          "ExecuteStage", "execute (HTTP call to Acme)");

  private Report() {}

  static String loadTable(List<LoadResult> results) {
    StringBuilder md = new StringBuilder();
    md.append(
            "| scenario | concurrency | requests | throughput (req/s) | p50 (ms) | p99 (ms) | p99.9 (ms) | errors |")
        .append(" JVM CPU per request (µs) | other processes' CPU (%) | load avg (1 min) |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (LoadResult r : results) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %d | %.0f | %.0f | %.2f |%n",
              r.scenario(),
              r.concurrency(),
              r.requests(),
              r.throughput(),
              r.percentileMillis(50),
              r.percentileMillis(99),
              r.percentileMillis(99.9),
              r.errors(),
              r.cpuMicrosPerRequest(),
              r.otherCpuShare() * 100,
              r.loadAverage()));
    }
    for (LoadResult r : results) {
      if (r.firstError() != null) {
        md.append("\nFirst error in ")
            .append(r.scenario())
            .append(" c=")
            .append(r.concurrency())
            .append(": ")
            .append(r.firstError())
            .append('\n');
      }
    }
    return md.toString();
  }

  /**
   * Like {@link #loadTable} with p90 as well: scenario, throughput, p50/p90/p99/p99.9 (ms), errors
   * and the noise columns.
   */
  static String latencyTable(List<LoadResult> results) {
    StringBuilder md = new StringBuilder();
    md.append(
            "| scenario | concurrency | requests | throughput (req/s) | p50 (ms) | p90 (ms) | p99 (ms) | p99.9 (ms) |")
        .append(
            " errors | JVM CPU per request (µs) | other processes' CPU (%) | load avg (1 min) |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (LoadResult r : results) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %.0f | %.0f | %.2f |%n",
              r.scenario(),
              r.concurrency(),
              r.requests(),
              r.throughput(),
              r.percentileMillis(50),
              r.percentileMillis(90),
              r.percentileMillis(99),
              r.percentileMillis(99.9),
              r.errors(),
              r.cpuMicrosPerRequest(),
              r.otherCpuShare() * 100,
              r.loadAverage()));
    }
    for (LoadResult r : results) {
      if (r.firstError() != null) {
        md.append("\nFirst error in ")
            .append(r.scenario())
            .append(" c=")
            .append(r.concurrency())
            .append(": ")
            .append(r.firstError())
            .append('\n');
      }
    }
    return md.toString();
  }

  /** A baseline and the same work through the gateway, at one concurrency. */
  record Pair(LoadResult baseline, LoadResult gateway) {}

  /**
   * What the gateway adds to its baseline: throughput ratio, extra latency per percentile, extra
   * CPU per request.
   */
  static String differenceTable(List<Pair> pairs) {
    StringBuilder md = new StringBuilder();
    md.append("| concurrency | throughput: baseline → gateway (req/s) | gateway/baseline |")
        .append(
            " p50: added (ms) | p90: added (ms) | p99: added (ms) | JVM CPU per request: added (µs) |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Pair p : pairs) {
      LoadResult b = p.baseline();
      LoadResult g = p.gateway();
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %.0f → %.0f | %.0f%% | %s | %s | %s | %+.0f |%n",
              b.concurrency(),
              b.throughput(),
              g.throughput(),
              100 * g.throughput() / b.throughput(),
              added(b, g, 50),
              added(b, g, 90),
              added(b, g, 99),
              g.cpuMicrosPerRequest() - b.cpuMicrosPerRequest()));
    }
    return md.toString();
  }

  private static String added(LoadResult baseline, LoadResult gateway, double percentile) {
    double b = baseline.percentileMillis(percentile);
    double g = gateway.percentileMillis(percentile);
    return String.format(Locale.ROOT, "%+.2f (%.2f → %.2f, ×%.1f)", g - b, b, g, g / b);
  }

  static String stageTable(List<Breakdown> runs) {
    return stageTable(
        runs, Map.of(), "load client, loopback HTTP, Jetty/Javalin, auth, JSON in and out");
  }

  /**
   * The self time of each stage per run; {@code notes} relabels stages (over the defaults) and
   * {@code outsideNote} says what the time outside the pipeline holds.
   */
  static String stageTable(List<Breakdown> runs, Map<String, String> notes, String outsideNote) {
    StringBuilder md = new StringBuilder();
    md.append("| stage: self time, mean µs (share of client latency) / p99 µs |");
    runs.forEach(
        b ->
            md.append(' ')
                .append(b.label())
                .append(" c=")
                .append(b.load().concurrency())
                .append(" |"));
    md.append("\n|---|");
    runs.forEach(b -> md.append("---:|"));
    md.append('\n');
    List<String> names = new ArrayList<>(runs.getFirst().stages().keySet());
    names.remove(StageTimes.PIPELINE);
    for (String name : names) {
      md.append("| ")
          .append(notes.getOrDefault(name, STAGE_NOTES.getOrDefault(name, name)))
          .append(" |");
      runs.forEach(b -> md.append(' ').append(cell(b.stages().get(name), b.load())).append(" |"));
      md.append('\n');
    }
    md.append("| **pipeline, inclusive** |");
    runs.forEach(
        b ->
            md.append(' ')
                .append(cell(b.stages().get(StageTimes.PIPELINE), b.load()))
                .append(" |"));
    md.append("\n| **outside the pipeline** (client mean − pipeline mean: ")
        .append(outsideNote)
        .append(") |");
    runs.forEach(
        b -> {
          double outside =
              b.load().meanMicros() - b.stages().get(StageTimes.PIPELINE).getMean() / 1e3;
          md.append(
              String.format(
                  Locale.ROOT,
                  " %s (%.0f%%) |",
                  micros(outside),
                  100 * outside / b.load().meanMicros()));
        });
    md.append("\n| **client-observed latency** |");
    runs.forEach(
        b ->
            md.append(
                String.format(
                    Locale.ROOT,
                    " %s / %s |",
                    micros(b.load().meanMicros()),
                    micros(b.load().latency().getValueAtPercentile(99) / 1e3))));
    md.append("\n| calls timed by the stages |");
    runs.forEach(
        b ->
            md.append(' ')
                .append(b.stages().get(StageTimes.PIPELINE).getTotalCount())
                .append(" |"));
    md.append('\n');
    return md.toString();
  }

  static String probeTable(List<Probes.Probe> probes) {
    StringBuilder md = new StringBuilder();
    md.append(
        "| probe (one thread, no contention) | operations | mean (µs) | p50 (µs) | p99 (µs) | p99.9 (µs) |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    for (Probes.Probe p : probes) {
      Histogram h = p.nanos();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s | %s |%n",
              p.name(),
              h.getTotalCount(),
              micros(h.getMean() / 1e3),
              micros(h.getValueAtPercentile(50) / 1e3),
              micros(h.getValueAtPercentile(99) / 1e3),
              micros(h.getValueAtPercentile(99.9) / 1e3)));
    }
    return md.toString();
  }

  private static String cell(Histogram h, LoadResult load) {
    double mean = h.getMean() / 1e3;
    return String.format(
        Locale.ROOT,
        "%s (%.0f%%) / %s",
        micros(mean),
        100 * mean / load.meanMicros(),
        micros(h.getValueAtPercentile(99) / 1e3));
  }

  private static String micros(double value) {
    if (Double.isNaN(value)) {
      return "–";
    }
    return value >= 10
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.1f", value);
  }
}
