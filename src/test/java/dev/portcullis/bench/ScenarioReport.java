package dev.portcullis.bench;

import dev.portcullis.bench.GatewayScenariosBenchmark.Results;
import dev.portcullis.bench.GatewayScenariosBenchmark.Run;
import dev.portcullis.bench.Workload.Door;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * The scenario benchmark's Markdown report: every run, then per workload the gateway against the
 * upstream alone, the open-loop runs, the bytes stored per call and the fsync probe. Latencies in
 * milliseconds, CPU and fsync in microseconds; "–" where a value does not exist (a denied call has
 * no direct counterpart; in one JVM, CPU cannot be split by party).
 */
final class ScenarioReport {
  private ScenarioReport() {}

  static String markdown(ScenarioSettings settings, Results r) {
    StringBuilder md = new StringBuilder();
    md.append("## Gateway scenarios benchmark, ").append(r.started()).append("\n\n");
    // The machine line names what shares the load generator's JVM; the topology line says it
    // better.
    r.machine()
        .replaceAll("; [^;\n]* share this JVM", "")
        .lines()
        .forEach(l -> md.append("- ").append(l).append('\n'));
    md.append("- ").append(r.topology()).append('\n');
    md.append("- gateway audit.durability: ").append(settings.durability()).append('\n');
    md.append("- gateway store: ")
        .append(settings.store())
        .append(settings.nodes() > 1 ? ", " + settings.nodes() + " gateway nodes" : "")
        .append('\n');
    md.append(
        f("- load average (1 min): %.2f before, %.2f after%n", r.loadBefore(), r.loadAfter()));
    md.append(
        f(
            "- JIT warmup %d s over every scenario first (discarded); closed loop: warmup %d s, measured %d s per"
                + " scenario, clients %s, %d round(s); open loop: %.0f req/s over %d clients, warmup %d s, measured %d s;"
                + " stored bytes over %d calls per gateway scenario; fsync probe %d fsyncs%n",
            settings.jitWarmup().toSeconds(),
            settings.warmup().toSeconds(),
            settings.measure().toSeconds(),
            settings.concurrency(),
            settings.rounds(),
            settings.rate(),
            settings.openClients(),
            settings.warmup().toSeconds(),
            settings.openMeasure().toSeconds(),
            settings.storedCalls(),
            settings.fsyncCount()));
    md.append("\n### Workloads\n\n| workload | call |\n|---|---|\n");
    settings
        .workloads()
        .forEach(
            w -> md.append("| ").append(w.id).append(" | ").append(w.description).append(" |\n"));
    if (r.fsyncBefore() != null) {
      md.append(
          "\n### fsync probe (512 B appended + FileChannel.force, in the gateway's data directory)\n\n");
      md.append(
          "| when | fsyncs | p50 (µs) | p90 (µs) | p99 (µs) | mean (µs) |\n|---|---:|---:|---:|---:|---:|\n");
      md.append(fsyncRow("before the load", r.fsyncBefore()))
          .append(fsyncRow("after the load", r.fsyncAfter()));
    }
    if (!r.closed().isEmpty()) {
      md.append("\n### Closed loop: every run\n\n");
      if (settings.mode() == ScenarioSettings.Mode.IN_JVM) {
        md.append(
            "In one JVM, the load generator's CPU column is the whole JVM's: all three parties.\n\n");
      }
      md.append(runTable(r.closed(), false));
      md.append("\n### Gateway against the upstream alone (closed loop)\n\n");
      if (settings.rounds() > 1) {
        md.append(
            f(
                "Each figure is the median of %d rounds (by throughput; its CPU and latency come"
                    + " with it); every round is in the table above.%n%n",
                settings.rounds()));
      }
      md.append(ratios(settings, r.closed()));
      if (settings.concurrency().contains(1)) {
        md.append("\n### What the gateway adds at one client\n\n")
            .append(added(settings, r.closed()));
      }
    }
    if (!r.open().isEmpty()) {
      md.append(
              f(
                  "%n### Open loop at %.0f req/s (latency from when each request was due)%n%n",
                  settings.rate()))
          .append(runTable(r.open(), true));
    }
    if (!r.stored().isEmpty()) {
      md.append("\n### Stored bytes per call (database + WAL, checkpointed before and after)\n\n");
      md.append(
          "| scenario | calls | errors | growth (bytes) | bytes per call |\n|---|---:|---:|---:|---:|\n");
      r.stored()
          .forEach(
              s ->
                  md.append(
                      f(
                          "| %s | %d | %d | %,d | %,.0f |%n",
                          s.scenario(),
                          s.calls(),
                          s.errors(),
                          s.after() - s.before(),
                          s.bytesPerCall())));
    }
    for (Run run : concat(r.closed(), r.open())) {
      if (run.load().firstError() != null) {
        md.append(
            f(
                "%nFirst error in %s c=%d%s: %s%n",
                run.load().scenario(),
                run.load().concurrency(),
                run.open() == null ? "" : " (open loop)",
                run.load().firstError()));
      }
    }
    return md.toString();
  }

  private static String fsyncRow(String when, Histogram h) {
    return f(
        "| %s | %d | %.0f | %.0f | %.0f | %.0f |%n",
        when,
        h.getTotalCount(),
        h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(90) / 1e3,
        h.getValueAtPercentile(99) / 1e3,
        h.getMean() / 1e3);
  }

  private static String runTable(List<Run> runs, boolean open) {
    StringBuilder md = new StringBuilder("| workload | door | clients |");
    md.append(open ? " target (req/s) | achieved (req/s) |" : " requests | throughput (req/s) |")
        .append(" p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | errors |")
        .append(open ? " sent late p50 / p99 (ms) |" : "")
        .append(
            " CPU per call, gateway (µs) | upstream (µs) | load generator (µs) | database server (µs) |"
                + " database commits per call | other processes' CPU (%) |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        .append(open ? "---:|" : "")
        .append("---:|---:|---:|---:|\n");
    for (Run run : runs) {
      LoadResult l = run.load();
      md.append(
          f(
              "| %s | %s | %d |",
              run.workload().id,
              run.door().label + (rounds(runs) > 1 ? " (round " + run.round() + ")" : ""),
              l.concurrency()));
      md.append(
          open
              ? f(" %.0f | %.0f |", run.open().targetRate(), l.throughput())
              : f(" %d | %.0f |", l.requests(), l.throughput()));
      md.append(
          f(
              " %.2f | %.2f | %.2f | %.2f | %d |",
              l.percentileMillis(50),
              l.percentileMillis(99),
              l.percentileMillis(99.9),
              l.latency().getTotalCount() == 0 ? Double.NaN : l.latency().getMaxValue() / 1e6,
              l.errors()));
      if (open) {
        Histogram lag = run.open().startLag();
        md.append(
            f(
                " %.2f / %.2f |",
                lag.getValueAtPercentile(50) / 1e6, lag.getValueAtPercentile(99) / 1e6));
      }
      md.append(
          f(
              " %s | %s | %s | %s | %s | %.0f |%n",
              perCall(run, run.cpu().gatewayNanos()),
              perCall(run, run.cpu().upstreamNanos()),
              perCall(run, run.cpu().generatorNanos()),
              perCall(run, run.cpu().databaseNanos()),
              commitsPerCall(run),
              otherShare(run) * 100));
    }
    return md.toString();
  }

  /** Throughput per door and the ratios the issue asks for, per workload and client count. */
  private static String ratios(ScenarioSettings settings, List<Run> runs) {
    StringBuilder md =
        new StringBuilder(
            "| workload | clients | direct (req/s) | REST (req/s) | MCP (req/s) |"
                + " REST/direct | MCP/direct | MCP/REST |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Workload w : settings.workloads()) {
      for (int c : settings.concurrency()) {
        Optional<LoadResult> direct = find(runs, w, Door.DIRECT, c);
        Optional<LoadResult> rest = find(runs, w, Door.REST, c);
        Optional<LoadResult> mcp = find(runs, w, Door.MCP, c);
        md.append(
            f(
                "| %s | %d | %s | %s | %s | %s | %s | %s |%n",
                w.id,
                c,
                rate(direct),
                rate(rest),
                rate(mcp),
                ratio(rest, direct),
                ratio(mcp, direct),
                ratio(mcp, rest)));
      }
    }
    return md.toString();
  }

  /** Latency the gateway adds at one client (gateway − direct) and the CPU each call costs. */
  private static String added(ScenarioSettings settings, List<Run> runs) {
    boolean split = settings.mode() == ScenarioSettings.Mode.PROCESSES;
    StringBuilder md =
        new StringBuilder("| workload | REST: added p50 / p99 (ms) | MCP: added p50 / p99 (ms) |");
    md.append(
        split
            ? " gateway CPU per call, REST / MCP (µs) | upstream CPU per direct call (µs) |"
            : " JVM CPU per call (all three parties), REST / MCP / direct (µs) |");
    md.append("\n|---|---:|---:|---:|").append(split ? "---:|" : "").append('\n');
    for (Workload w : settings.workloads()) {
      Optional<Run> direct = findRun(runs, w, Door.DIRECT, 1);
      Optional<Run> rest = findRun(runs, w, Door.REST, 1);
      Optional<Run> mcp = findRun(runs, w, Door.MCP, 1);
      md.append(f("| %s | %s | %s |", w.id, addedLatency(rest, direct), addedLatency(mcp, direct)));
      if (split) {
        md.append(
            f(
                " %s / %s | %s |%n",
                rest.map(x -> perCall(x, x.cpu().gatewayNanos())).orElse("–"),
                mcp.map(x -> perCall(x, x.cpu().gatewayNanos())).orElse("–"),
                direct.map(x -> perCall(x, x.cpu().upstreamNanos())).orElse("–")));
      } else {
        md.append(
            f(
                " %s / %s / %s |%n",
                rest.map(x -> perCall(x, x.cpu().generatorNanos())).orElse("–"),
                mcp.map(x -> perCall(x, x.cpu().generatorNanos())).orElse("–"),
                direct.map(x -> perCall(x, x.cpu().generatorNanos())).orElse("–")));
      }
    }
    return md.toString();
  }

  private static String addedLatency(Optional<Run> gateway, Optional<Run> direct) {
    if (gateway.isEmpty() || direct.isEmpty()) {
      return "–";
    }
    LoadResult g = gateway.get().load();
    LoadResult d = direct.get().load();
    return f(
        "%+.2f / %+.2f",
        g.percentileMillis(50) - d.percentileMillis(50),
        g.percentileMillis(99) - d.percentileMillis(99));
  }

  private static Optional<LoadResult> find(List<Run> runs, Workload w, Door d, int clients) {
    return findRun(runs, w, d, clients).map(Run::load);
  }

  /**
   * The run of {@code w} through {@code d} at {@code clients}; with several rounds, the median one
   * by throughput (the lower middle of an even count), so that one disturbed window does not decide
   * a ratio.
   */
  private static Optional<Run> findRun(List<Run> runs, Workload w, Door d, int clients) {
    List<Run> matching =
        runs.stream()
            .filter(x -> x.workload() == w && x.door() == d && x.load().concurrency() == clients)
            .sorted(java.util.Comparator.comparingDouble(x -> x.load().throughput()))
            .toList();
    return matching.isEmpty()
        ? Optional.empty()
        : Optional.of(matching.get((matching.size() - 1) / 2));
  }

  private static int rounds(List<Run> runs) {
    return runs.stream().mapToInt(Run::round).max().orElse(1);
  }

  private static String rate(Optional<LoadResult> r) {
    return r.map(x -> f("%.0f", x.throughput())).orElse("–");
  }

  private static String ratio(Optional<LoadResult> a, Optional<LoadResult> b) {
    return a.isPresent() && b.isPresent()
        ? f("%.2f", a.get().throughput() / b.get().throughput())
        : "–";
  }

  /**
   * CPU nanoseconds over the run's completed calls, in µs; "–" when the party has no process of its
   * own.
   */
  private static String perCall(Run run, long nanos) {
    long calls = run.load().requests() + run.load().errors();
    return nanos < 0 || calls == 0 ? "–" : f("%.0f", nanos / 1e3 / calls);
  }

  /** Transactions that wrote, committed by the database in the run, per call; "–" on SQLite. */
  private static String commitsPerCall(Run run) {
    long calls = run.load().requests() + run.load().errors();
    long commits = run.cpu().databaseCommits();
    return commits < 0 || calls == 0 ? "–" : f("%.2f", (double) commits / calls);
  }

  /**
   * Share of the machine (0..1) used by processes other than the parties in the window: the load
   * result counts the gateway, Acme and database processes as "other" (it knows only its own JVM),
   * so their CPU is taken out here.
   */
  private static double otherShare(Run run) {
    long parties =
        Math.max(0, run.cpu().gatewayNanos())
            + Math.max(0, run.cpu().upstreamNanos())
            + Math.max(0, run.cpu().databaseNanos());
    double cores = Runtime.getRuntime().availableProcessors();
    return Math.max(0, run.load().otherCpuShare() - parties / (run.load().elapsedNanos() * cores));
  }

  private static List<Run> concat(List<Run> a, List<Run> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  @com.google.errorprone.annotations.FormatMethod
  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
