package dev.portcullis.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Formats results as Markdown tables. Times in the load table are milliseconds; elsewhere microseconds. */
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
    md.append("| scenario | concurrency | requests | throughput (req/s) | p50 (ms) | p99 (ms) | p99.9 (ms) | errors |")
        .append(" JVM CPU per request (µs) | other processes' CPU (%) | load avg (1 min) |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (LoadResult r : results) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %d | %.0f | %.0f | %.2f |%n",
          r.scenario(), r.concurrency(), r.requests(), r.throughput(), r.percentileMillis(50),
          r.percentileMillis(99), r.percentileMillis(99.9), r.errors(), r.cpuMicrosPerRequest(),
          r.otherCpuShare() * 100, r.loadAverage()));
    }
    for (LoadResult r : results) {
      if (r.firstError() != null) {
        md.append("\nFirst error in ").append(r.scenario()).append(" c=").append(r.concurrency()).append(": ")
            .append(r.firstError()).append('\n');
      }
    }
    return md.toString();
  }

  static String stageTable(List<Breakdown> runs) {
    StringBuilder md = new StringBuilder();
    md.append("| stage: self time, mean µs (share of client latency) / p99 µs |");
    runs.forEach(b -> md.append(' ').append(b.label()).append(" c=").append(b.load().concurrency()).append(" |"));
    md.append("\n|---|");
    runs.forEach(b -> md.append("---:|"));
    md.append('\n');
    List<String> names = new ArrayList<>(runs.getFirst().stages().keySet());
    names.remove(StageTimes.PIPELINE);
    for (String name : names) {
      md.append("| ").append(STAGE_NOTES.getOrDefault(name, name)).append(" |");
      runs.forEach(b -> md.append(' ').append(cell(b.stages().get(name), b.load())).append(" |"));
      md.append('\n');
    }
    md.append("| **pipeline, inclusive** |");
    runs.forEach(b -> md.append(' ').append(cell(b.stages().get(StageTimes.PIPELINE), b.load())).append(" |"));
    md.append("\n| **outside the pipeline** (client mean − pipeline mean: load client, loopback HTTP, Jetty/Javalin, auth, JSON in and out) |");
    runs.forEach(b -> {
      double outside = b.load().meanMicros() - b.stages().get(StageTimes.PIPELINE).getMean() / 1e3;
      md.append(String.format(Locale.ROOT, " %s (%.0f%%) |", micros(outside), 100 * outside / b.load().meanMicros()));
    });
    md.append("\n| **client-observed latency** |");
    runs.forEach(b -> md.append(String.format(Locale.ROOT, " %s / %s |",
        micros(b.load().meanMicros()), micros(b.load().latency().getValueAtPercentile(99) / 1e3))));
    md.append("\n| calls timed by the stages |");
    runs.forEach(b -> md.append(' ').append(b.stages().get(StageTimes.PIPELINE).getTotalCount()).append(" |"));
    md.append('\n');
    return md.toString();
  }

  static String probeTable(List<Probes.Probe> probes) {
    StringBuilder md = new StringBuilder();
    md.append("| probe (one thread, no contention) | operations | mean (µs) | p50 (µs) | p99 (µs) | p99.9 (µs) |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    for (Probes.Probe p : probes) {
      Histogram h = p.nanos();
      md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", p.name(), h.getTotalCount(),
          micros(h.getMean() / 1e3), micros(h.getValueAtPercentile(50) / 1e3), micros(h.getValueAtPercentile(99) / 1e3),
          micros(h.getValueAtPercentile(99.9) / 1e3)));
    }
    return md.toString();
  }

  private static String cell(Histogram h, LoadResult load) {
    double mean = h.getMean() / 1e3;
    return String.format(Locale.ROOT, "%s (%.0f%%) / %s", micros(mean), 100 * mean / load.meanMicros(),
        micros(h.getValueAtPercentile(99) / 1e3));
  }

  private static String micros(double value) {
    if (Double.isNaN(value)) {
      return "–";
    }
    return value >= 10 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
  }
}
