package dev.portcullis.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.catalog.StaticCatalog;
import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.config.ServerSettings;
import dev.portcullis.edge.EdgeSettings;
import dev.portcullis.edge.Gateway;
import dev.portcullis.edge.GatewayServer;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.pipeline.CommitStage;
import dev.portcullis.pipeline.LedgerStage;
import dev.portcullis.pipeline.Pipeline;
import dev.portcullis.pipeline.Stage;
import dev.portcullis.store.Dialect;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.GroupCommit;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The first gateway benchmark (a benchmark, not a test: it asserts nothing about time). In one JVM
 * and one run: the bundled Acme sample read directly, then through the gateway's REST and MCP
 * doors, at each concurrency level, and REST once more with a transaction per state write (the
 * baseline for group commit across the stores); then the gateway doors again with every pipeline
 * stage timed, once with the production audit store and once with the audit store at {@code
 * synchronous=NORMAL}; and single-threaded probes of fsync, audit append and the secret read.
 *
 * <p>Prints progress on stderr and a Markdown report on stdout. Knobs: see {@link BenchSettings};
 * {@code bench/gateway-load.sh} builds and runs it.
 */
public final class GatewayLoadBenchmark {
  private GatewayLoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchSettings settings;
    try {
      settings = BenchSettings.from(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Progress progress = new Progress(System.err);
    Path work = settings.workDir().toAbsolutePath();
    Files.createDirectories(work);
    String machine = machine(work);
    String started =
        OffsetDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
    double loadBefore = loadAverage();
    progress.say("machine: %s", machine.replace("\n", "; "));
    progress.say("settings: %s", settings);
    Results results;
    try (GatewayFixture fixture = GatewayFixture.start(work.resolve("gateway"))) {
      results = run(settings, work, fixture, progress);
    }
    System.out.print(report(settings, started, machine, loadBefore, loadAverage(), results));
    System.out.flush();
    if (!settings.keepData()) {
      deleteTree(work);
    }
    progress.say("done");
    // The MCP SDK keeps a non-daemon thread after its clients and servers close (the demo
    // configuration has an MCP upstream): end the JVM explicitly, as McpUpstreamBenchmark does.
    System.exit(0);
  }

  private record Results(
      List<LoadResult> plain,
      List<LoadResult> instrumented,
      List<Report.Breakdown> breakdowns,
      List<Probes.Probe> probes) {}

  /**
   * A stage-timed scenario: its column label, its requests, and the stage timers of the server it
   * calls.
   */
  private record Timed(String label, Scenario scenario, StageTimes times) {}

  private static Results run(
      BenchSettings settings, Path work, GatewayFixture fixture, Progress progress)
      throws Exception {
    GatewayConfig config =
        ConfigLoader.load(
            GatewayFixture.DEMO_CONFIG, Map.of("ACME_URL", fixture.acme().baseUri() + "/api"));
    Gateway base = fixture.assembly().gateway();
    String key = GatewayFixture.SUPPORT_KEY;
    List<LoadResult> plain = new ArrayList<>();
    List<LoadResult> instrumented = new ArrayList<>();
    List<Report.Breakdown> breakdowns = new ArrayList<>();
    // Two more servers in front of the same Acme: one with every stage timed (same stages, same
    // audit
    // log), one with every stage timed and the audit log in a database at synchronous=NORMAL.
    StageTimes timed = new StageTimes(base.pipeline().stages());
    try (HikariDataSource relaxedStore = AuditStores.open(work.resolve("audit-normal"), "NORMAL");
        EmbeddedDatabase separateStore = EmbeddedDatabase.open(work.resolve("separate"));
        GatewayServer timedServer =
            GatewayServer.start(withPipeline(base, timed.pipeline()), edge(config));
        GatewayServer separateServer =
            GatewayServer.start(
                withPipeline(base, new Pipeline(separateTransactions(base, config, separateStore))),
                edge(config))) {
      StageTimes relaxed =
          new StageTimes(
              withLedger(
                  base,
                  config,
                  new JdbcLedger(new GroupCommit(relaxedStore), Dialect.SQLITE, base.json())));
      try (GatewayServer relaxedServer =
          GatewayServer.start(withPipeline(base, relaxed.pipeline()), edge(config))) {
        Map<String, Scenario> doors =
            Map.of(
                "direct",
                    Scenarios.direct(
                        "direct (Acme)", fixture.acme().baseUri(), GatewayFixture.ACME_TOKEN),
                "rest", Scenarios.rest("gateway REST", fixture.baseUri(), key),
                "mcp", Scenarios.mcp("gateway MCP", fixture.baseUri(), key),
                "separate",
                    Scenarios.rest(
                        "gateway REST, a transaction per state write", uri(separateServer), key));
        List<Timed> timedScenarios =
            List.of(
                new Timed(
                    "REST",
                    Scenarios.rest("gateway REST, stages timed", uri(timedServer), key),
                    timed),
                new Timed(
                    "MCP",
                    Scenarios.mcp("gateway MCP, stages timed", uri(timedServer), key),
                    timed),
                new Timed(
                    "REST, audit sync=NORMAL",
                    Scenarios.rest(
                        "gateway REST, stages timed, audit synchronous=NORMAL",
                        uri(relaxedServer),
                        key),
                    relaxed));
        if (settings.runs("rest")
            || settings.runs("mcp")
            || settings.runs("separate")
            || settings.runs("breakdown")) {
          List<Scenario> gatewayDoors =
              new ArrayList<>(List.of(doors.get("rest"), doors.get("mcp")));
          if (settings.runs("separate")) {
            gatewayDoors.add(doors.get("separate"));
          }
          if (settings.runs("breakdown")) {
            timedScenarios.forEach(t -> gatewayDoors.add(t.scenario()));
          }
          warmUpJit(settings, gatewayDoors, progress, fixture);
        }
        for (int c : settings.concurrency()) {
          for (String part : List.of("direct", "rest", "mcp", "separate")) {
            if (settings.runs(part)) {
              plain.add(
                  load(
                      doors.get(part),
                      c,
                      settings.warmup(),
                      settings.measure(),
                      settings,
                      () -> {},
                      progress,
                      fixture));
            }
          }
        }
        for (int c : settings.breakdownConcurrency()) {
          for (Timed t : timedScenarios) {
            LoadResult r =
                load(
                    t.scenario(),
                    c,
                    settings.breakdownWarmup(),
                    settings.breakdownMeasure(),
                    settings,
                    t.times()::reset,
                    progress,
                    fixture);
            instrumented.add(r);
            breakdowns.add(new Report.Breakdown(t.label(), r, t.times().take()));
          }
        }
      }
    }
    List<Probes.Probe> probes =
        settings.runs("probes")
            ? new Probes(settings.probe(), progress).run(work, fixture.dataDir(), config.hash())
            : List.of();
    return new Results(plain, instrumented, breakdowns, probes);
  }

  private static String report(
      BenchSettings settings,
      String started,
      String machine,
      double loadBefore,
      double loadAfter,
      Results results) {
    StringBuilder md = new StringBuilder();
    md.append("## Gateway load benchmark, ").append(started).append("\n\n");
    machine.lines().forEach(l -> md.append("- ").append(l).append('\n'));
    md.append(
        String.format(
            Locale.ROOT,
            "- load average (1 min): %.2f before, %.2f after%n",
            loadBefore,
            loadAfter));
    md.append(
        String.format(
            Locale.ROOT,
            "- JIT warmup %d s of gateway traffic first (discarded); then per scenario: warmup %d s, measured %d s"
                + " (stage-timed runs: %d s + %d s); concurrency %s; closed loop, virtual-thread clients, one shared"
                + " java.net.http client (HTTP/1.1), loopback%n",
            settings.jitWarmup().toSeconds(),
            settings.warmup().toSeconds(),
            settings.measure().toSeconds(),
            settings.breakdownWarmup().toSeconds(),
            settings.breakdownMeasure().toSeconds(),
            settings.concurrency()));
    if (!results.plain().isEmpty()) {
      md.append("\n### Throughput and latency\n\n").append(Report.loadTable(results.plain()));
    }
    if (!results.breakdowns().isEmpty()) {
      md.append(
              "\n### Stage-timed runs (same pipeline, every stage wrapped by a timing decorator)\n\n")
          .append(Report.loadTable(results.instrumented()));
      md.append("\n### Where the time goes: self time per stage\n\n")
          .append(Report.stageTable(results.breakdowns()));
    }
    if (!results.probes().isEmpty()) {
      md.append("\n### Probes\n\n").append(Report.probeTable(results.probes()));
    }
    return md.toString();
  }

  /**
   * Runs every gateway door that will be measured (the stage-timed servers too: their call sites
   * differ) at the highest concurrency before anything is measured, results discarded. On two cores
   * C2 needs about 20 s of gateway traffic before throughput stops climbing, far longer than a
   * per-scenario warmup.
   */
  private static void warmUpJit(
      BenchSettings settings, List<Scenario> scenarios, Progress progress, GatewayFixture fixture)
      throws IOException, InterruptedException {
    long each = Math.max(2, settings.jitWarmup().toSeconds() / scenarios.size());
    if (settings.jitWarmup().isZero()) {
      return;
    }
    int c = settings.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
    for (Scenario door : scenarios) {
      Scenario s = new Scenario(door.name() + " " + JfrCpuBreakdown.DISCARDED, door.clients());
      progress.say("JIT warmup: %s c=%d for %ds", s.name(), c, each);
      ClosedLoop.run(
          s,
          c,
          Duration.ofSeconds(each - 1),
          Duration.ofSeconds(1),
          settings.maxRequests(),
          () -> {},
          progress);
      fixture.acme().clearRequestLog();
    }
  }

  private static LoadResult load(
      Scenario s,
      int concurrency,
      Duration warmup,
      Duration measure,
      BenchSettings settings,
      Runnable atMeasureStart,
      Progress progress,
      GatewayFixture fixture)
      throws IOException, InterruptedException {
    System.gc();
    LoadResult r =
        ClosedLoop.run(
            s, concurrency, warmup, measure, settings.maxRequests(), atMeasureStart, progress);
    fixture.acme().clearRequestLog();
    progress.say(
        "%s c=%d: %,.0f req/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, %d errors, load %.2f",
        s.name(),
        concurrency,
        r.throughput(),
        r.percentileMillis(50),
        r.percentileMillis(99),
        r.percentileMillis(99.9),
        r.errors(),
        r.loadAverage());
    return r;
  }

  static Gateway withPipeline(Gateway base, Pipeline pipeline) {
    return new Gateway(
        base.identities(),
        base.tools(),
        pipeline,
        base.invocations(),
        base.clock(),
        base.json(),
        base.approvals(),
        base.approvers(),
        base.admin(),
        base.arguments());
  }

  /** The gateway's own stages, with the two ledger-writing stages on {@code ledger} instead. */
  private static List<Stage> withLedger(Gateway base, GatewayConfig config, Ledger ledger) {
    AuditEntries entries =
        new AuditEntries(
            base.clock(), config.hash(), new StaticCatalog(config.tools()), base.json());
    List<Stage> stages =
        base.pipeline().stages().stream()
            .map(
                s ->
                    switch (s) {
                      case LedgerStage l ->
                          (Stage)
                              new LedgerStage(
                                  ledger,
                                  base.invocations(),
                                  entries,
                                  base.json(),
                                  LedgerStage.Parked.NONE);
                      case CommitStage c -> new CommitStage(ledger, entries, base.json());
                      default -> s;
                    })
            .toList();
    if (stages.stream().filter(s -> s instanceof LedgerStage || s instanceof CommitStage).count()
        != 2) {
      throw new IllegalStateException("expected one LedgerStage and one CommitStage in " + stages);
    }
    return stages;
  }

  /**
   * The gateway's own stages with every ledger transition a transaction (an fsync) of its own, the
   * baseline for group commit. On a database of its own, so it does not share the production
   * store's groups.
   */
  private static List<Stage> separateTransactions(
      Gateway base, GatewayConfig config, EmbeddedDatabase db) {
    return withLedger(
        base,
        config,
        new JdbcLedger(new GroupCommit(db.dataSource(), 1), Dialect.SQLITE, base.json()));
  }

  static EdgeSettings edge(GatewayConfig config) {
    ServerSettings s = config.server();
    return new EdgeSettings(
        "127.0.0.1",
        0,
        s.allowedHosts(),
        s.allowedOrigins(),
        s.maxRequestBytes(),
        "bench",
        config.approvals().mcpWait(),
        dev.portcullis.edge.McpSessions.Limits.DEFAULT);
  }

  static URI uri(GatewayServer server) {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  static String machine(Path work) throws IOException {
    return machine(work, "load generator, gateway and Acme");
  }

  /**
   * The machine, the JDK and the data directory's file system; {@code sharing} names what shares
   * this JVM.
   */
  static String machine(Path work, String sharing) throws IOException {
    String cpu = "unknown CPU";
    Path info = Path.of("/proc/cpuinfo");
    if (Files.isReadable(info)) {
      try (Stream<String> lines = Files.lines(info)) {
        cpu =
            lines
                .filter(l -> l.startsWith("model name"))
                .findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .orElse(cpu);
      }
    }
    var os = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);
    return String.format(
        Locale.ROOT,
        "machine: %d cores (%s), %.1f GiB RAM, %s %s%nJDK: %s %s (%s), heap max %d MiB%n"
            + "data directory on %s (%s); %s share this JVM",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.vm.vendor"),
        Runtime.version(),
        System.getProperty("java.vm.name"),
        Runtime.getRuntime().maxMemory() / (1024 * 1024),
        Files.getFileStore(work).type(),
        Files.getFileStore(work).name(),
        sharing);
  }

  static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("could not delete " + root + ": " + e.getMessage());
    }
  }
}
