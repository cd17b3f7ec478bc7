package dev.portcullis.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The gateway against its upstream, call kind by call kind (a benchmark, not a test: it asserts
 * nothing about time): for each {@link Workload} (an allowed read, an allowed write, a denied call,
 * a write with a fresh idempotency key) through each door (Acme directly, the gateway's REST door,
 * its MCP door), closed-loop throughput and latency at each client count, then open-loop latency at
 * a fixed arrival rate, then the bytes the gateway's database keeps per call, with an fsync probe
 * of the data directory before and after. By default the gateway and Acme each run in a process of
 * their own ({@link ProcessTopology}), so the CPU each spends per call can be told apart; {@code
 * BENCH_MODE=in-jvm} keeps the three in this JVM ({@link InJvmTopology}).
 *
 * <p>Uses only what an operator uses (the CLI's {@code serve} and {@code sample acme}) or the
 * tests' {@code GatewayFixture}, and the gateway's HTTP doors: no class of the pipeline or the
 * stores, so the same command measures the gateway before and after they are rewritten.
 *
 * <p>Prints progress on stderr and a Markdown report on stdout; {@code bench/gateway-scenarios.sh}
 * builds and runs it.
 */
public final class GatewayScenariosBenchmark {
  private GatewayScenariosBenchmark() {}

  /** One measured closed- or open-loop run and the CPU each party used in its window. */
  record Run(
      Workload workload,
      Workload.Door door,
      LoadResult load,
      Topology.Cpu cpu,
      OpenLoop.Result open,
      int round) {}

  /** Everything a report is made of. */
  record Results(
      String started,
      String machine,
      String topology,
      double loadBefore,
      double loadAfter,
      List<Run> closed,
      List<Run> open,
      List<DataDirectoryProbes.Stored> stored,
      Histogram fsyncBefore,
      Histogram fsyncAfter) {}

  public static void main(String[] args) throws Exception {
    ScenarioSettings settings;
    try {
      settings = ScenarioSettings.from(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    String report = run(settings, new Progress(System.err));
    System.out.print(report);
    System.out.flush();
    // The MCP SDK leaves a non-daemon thread behind (the demo configuration has an MCP upstream).
    System.exit(0);
  }

  /** Runs every part {@code settings} choose and answers the Markdown report. */
  static String run(ScenarioSettings settings, Progress progress) throws Exception {
    Path work = settings.workDir().toAbsolutePath();
    Files.createDirectories(work);
    String started = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
    double loadBefore = GatewayLoadBenchmark.loadAverage();
    String machine =
        GatewayLoadBenchmark.machine(
            work,
            settings.mode() == ScenarioSettings.Mode.PROCESSES
                ? "the load generator alone"
                : "load generator, gateway and Acme");
    progress.say("settings: %s", settings);
    Results results;
    try (Topology topology =
        settings.mode() == ScenarioSettings.Mode.PROCESSES
            ? ProcessTopology.start(
                work,
                settings.gatewayConfig(work),
                settings.nodes(),
                settings.store(),
                settings.gatewayHeap(),
                settings.upstreamHeap(),
                settings.gatewayJavaOptions(),
                progress)
            : new InJvmTopology(work, settings.gatewayConfig(work))) {
      progress.say("%s", topology.describe());
      Histogram fsyncBefore = fsync(settings, topology, progress);
      warmUpJit(settings, topology, progress);
      List<Run> closed = new ArrayList<>();
      for (int round = 1; round <= settings.rounds(); round++) {
        for (int c : settings.concurrency()) {
          for (Workload w : settings.workloads()) {
            List<Workload.Door> doors = new ArrayList<>(settings.doors(w));
            if (round % 2 == 0) {
              // every other round the other way round: no door is always the first after a pause
              java.util.Collections.reverse(doors);
            }
            for (Workload.Door d : doors) {
              closed.add(closed(settings, topology, w, d, c, round, progress));
            }
          }
        }
      }
      List<Run> open = new ArrayList<>();
      if (settings.rate() > 0) {
        for (Workload w : settings.openWorkloads()) {
          for (Workload.Door d : settings.doors(w)) {
            open.add(open(settings, topology, w, d, progress));
          }
        }
      }
      List<DataDirectoryProbes.Stored> stored = new ArrayList<>();
      if (settings.storedCalls() > 0 && settings.embeddedStore()) {
        for (Workload w : settings.workloads()) {
          for (Workload.Door d : settings.doors(w)) {
            if (d.gateway()) {
              stored.add(stored(settings, topology, w, d, progress));
            }
          }
        }
      }
      Histogram fsyncAfter = fsync(settings, topology, progress);
      results =
          new Results(
              started,
              machine,
              topology.describe(),
              loadBefore,
              GatewayLoadBenchmark.loadAverage(),
              closed,
              open,
              stored,
              fsyncBefore,
              fsyncAfter);
    }
    if (!settings.keepData()) {
      GatewayLoadBenchmark.deleteTree(work);
    }
    progress.say("done");
    return ScenarioReport.markdown(settings, results);
  }

  private static Histogram fsync(ScenarioSettings settings, Topology topology, Progress progress)
      throws IOException {
    if (settings.fsyncCount() == 0) {
      return null;
    }
    Histogram h = DataDirectoryProbes.fsync(topology.gatewayData(), settings.fsyncCount());
    progress.say(
        "fsync probe in %s: p50 %.0f µs over %d",
        topology.gatewayData(), h.getValueAtPercentile(50) / 1e3, h.getTotalCount());
    return h;
  }

  /**
   * Every scenario at the highest client count before anything is measured, results discarded: on
   * two cores C2 needs about 20 s of gateway traffic before throughput stops climbing, and in
   * processes mode the gateway and Acme start cold.
   */
  private static void warmUpJit(ScenarioSettings settings, Topology topology, Progress progress)
      throws IOException, InterruptedException {
    List<Scenario> all = new ArrayList<>();
    for (Workload w : settings.workloads()) {
      for (Workload.Door d : settings.doors(w)) {
        all.add(w.scenario(d, topology.endpoints()));
      }
    }
    if (settings.jitWarmup().isZero() || all.isEmpty()) {
      return;
    }
    long each = Math.max(1, settings.jitWarmup().toSeconds() / all.size());
    int c = settings.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
    for (Scenario s : all) {
      Scenario discarded = new Scenario(s.name() + " " + JfrCpuBreakdown.DISCARDED, s.clients());
      progress.say("JIT warmup: %s c=%d for %ds", s.name(), c, each);
      ClosedLoop.run(
          discarded,
          c,
          Duration.ofSeconds(each - 1),
          Duration.ofSeconds(1),
          settings.maxRequests(),
          () -> {},
          progress);
      topology.afterPhase();
    }
  }

  private static Run closed(
      ScenarioSettings settings,
      Topology topology,
      Workload w,
      Workload.Door d,
      int clients,
      int round,
      Progress progress)
      throws IOException, InterruptedException {
    System.gc();
    Topology.Cpu[] before = new Topology.Cpu[1];
    LoadResult r =
        ClosedLoop.run(
            w.scenario(d, topology.endpoints()),
            clients,
            settings.warmup(),
            settings.measure(),
            settings.maxRequests(),
            () -> before[0] = topology.cpu(),
            progress);
    Topology.Cpu used = topology.cpu().minus(before[0]);
    topology.afterPhase();
    progress.say(
        "%s c=%d%s: %,.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors",
        r.scenario(),
        clients,
        settings.rounds() > 1 ? " (round " + round + ")" : "",
        r.throughput(),
        r.percentileMillis(50),
        r.percentileMillis(99),
        r.errors());
    return new Run(w, d, r, used, null, round);
  }

  private static Run open(
      ScenarioSettings settings, Topology topology, Workload w, Workload.Door d, Progress progress)
      throws IOException, InterruptedException {
    System.gc();
    Topology.Cpu[] before = new Topology.Cpu[1];
    OpenLoop.Result r =
        OpenLoop.run(
            w.scenario(d, topology.endpoints()),
            settings.rate(),
            settings.openClients(),
            settings.warmup(),
            settings.openMeasure(),
            () -> before[0] = topology.cpu(),
            progress);
    Topology.Cpu used = topology.cpu().minus(before[0]);
    topology.afterPhase();
    progress.say(
        "%s open loop at %.0f req/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, %d errors",
        r.load().scenario(),
        r.targetRate(),
        r.load().percentileMillis(50),
        r.load().percentileMillis(99),
        r.load().percentileMillis(99.9),
        r.load().errors());
    return new Run(w, d, r.load(), used, r, 1);
  }

  private static DataDirectoryProbes.Stored stored(
      ScenarioSettings settings, Topology topology, Workload w, Workload.Door d, Progress progress)
      throws IOException, InterruptedException, SQLException {
    DataDirectoryProbes.Stored s =
        DataDirectoryProbes.storedBytes(
            topology.gatewayData(), w.scenario(d, topology.endpoints()), settings.storedCalls(), 4);
    topology.afterPhase();
    progress.say(
        "%s: %d calls, database grew %,d bytes (%.0f per call)",
        s.scenario(), s.calls(), s.after() - s.before(), s.bytesPerCall());
    return s;
  }
}
