package dev.portcullis.bench;

import dev.portcullis.config.ConfigLoader;
import dev.portcullis.config.GatewayConfig;
import dev.portcullis.edge.Gateway;
import dev.portcullis.edge.GatewayServer;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.UpstreamApprovals;
import dev.portcullis.testing.UpstreamGatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the gateway costs in front of an upstream MCP server (a benchmark, not a test: it asserts
 * nothing about time). In one JVM and one run: an upstream MCP server (the Java SDK's, on Jetty,
 * with one fast read tool) called directly by an MCP client with the upstream's own token, then the
 * same tool through a gateway's MCP edge as {@code weather.get_weather}, approved first, at each
 * concurrency level; then the gateway again with every pipeline stage timed.
 *
 * <p>Both sides use the same raw-HTTP MCP client ({@link Scenarios#mcp}): one session per client,
 * opened before the clock starts, then one {@code tools/call} POST per request, so the client's own
 * cost is the same on both sides.
 *
 * <p>Prints progress on stderr and a Markdown report on stdout. Knobs: see {@link BenchSettings}
 * (parts: {@link #PARTS}); {@code bench/mcp-upstream.sh} builds and runs it.
 */
public final class McpUpstreamBenchmark {
  /** The parts of a run, in the order they run. */
  static final List<String> PARTS = List.of("direct", "gateway", "breakdown");

  private static final String UPSTREAM_TOKEN = "bench-weather-upstream-token-0123456789abcdef";
  private static final String GATEWAY_TOOL = "weather." + BenchUpstream.TOOL;
  private static final String ARGUMENTS = "{\"city\":\"Oslo\"}";

  /** Both the upstream's answer and the gateway's carry the tool's structured result. */
  private static final String EXPECTED = "\"tempC\":21";

  /** The stages' labels in this benchmark, where they differ from section 1's. */
  private static final Map<String, String> STAGE_NOTES =
      Map.of("ExecuteStage", "execute (MCP tools/call to the upstream: the second hop)");

  private McpUpstreamBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchSettings settings;
    try {
      settings = BenchSettings.from(System.getenv(), PARTS);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Progress progress = new Progress(System.err);
    Path work = settings.workDir().toAbsolutePath();
    Files.createDirectories(work);
    String machine =
        GatewayLoadBenchmark.machine(work, "load generator, gateway and upstream MCP server");
    String started = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
    double loadBefore = GatewayLoadBenchmark.loadAverage();
    progress.say("machine: %s", machine.replace("\n", "; "));
    progress.say("settings: %s", settings);
    Results results;
    try (BenchUpstream upstream = BenchUpstream.start(UPSTREAM_TOKEN)) {
      Path config = writeConfig(work, upstream.url());
      Path data = work.resolve("gateway");
      writeSecret(data);
      try (GatewayFixture gateway = GatewayFixture.start(data, config, Map.of())) {
        progress.say(
            "upstream at %s; gateway at %s; approving %s",
            upstream.url(), gateway.baseUri(), GATEWAY_TOOL);
        UpstreamApprovals.approve(gateway, config, GATEWAY_TOOL);
        results = run(settings, upstream, gateway, ConfigLoader.load(config, Map.of()), progress);
      }
    }
    System.out.print(
        report(
            settings, started, machine, loadBefore, GatewayLoadBenchmark.loadAverage(), results));
    System.out.flush();
    if (!settings.keepData()) {
      GatewayLoadBenchmark.deleteTree(work);
    }
    progress.say("done");
    // The SDK server transport's session sweeper is a non-daemon thread that closing the server
    // leaves running.
    System.exit(0);
  }

  private record Results(
      List<LoadResult> plain,
      List<Report.Pair> pairs,
      List<LoadResult> instrumented,
      List<Report.Breakdown> breakdowns) {}

  private static Results run(
      BenchSettings settings,
      BenchUpstream upstream,
      GatewayFixture fixture,
      GatewayConfig config,
      Progress progress)
      throws Exception {
    Gateway base = fixture.assembly().gateway();
    String key = GatewayFixture.SUPPORT_KEY;
    Scenario direct =
        Scenarios.mcp(
            "direct (upstream MCP server)",
            upstream.url(),
            UPSTREAM_TOKEN,
            BenchUpstream.TOOL,
            ARGUMENTS,
            EXPECTED);
    Scenario gateway =
        Scenarios.mcp(
            "gateway MCP → upstream MCP",
            fixture.baseUri().resolve("/mcp"),
            key,
            GATEWAY_TOOL,
            ARGUMENTS,
            EXPECTED);
    List<LoadResult> plain = new ArrayList<>();
    List<Report.Pair> pairs = new ArrayList<>();
    List<LoadResult> instrumented = new ArrayList<>();
    List<Report.Breakdown> breakdowns = new ArrayList<>();
    // A second server on the same stage objects (same connector, same upstream session, same audit
    // log), each stage wrapped by a timing decorator.
    StageTimes times = new StageTimes(base.pipeline().stages());
    try (GatewayServer timedServer =
        GatewayServer.start(
            GatewayLoadBenchmark.withPipeline(base, times.pipeline()),
            GatewayLoadBenchmark.edge(config))) {
      Scenario timed =
          Scenarios.mcp(
              "gateway MCP → upstream MCP, stages timed",
              GatewayLoadBenchmark.uri(timedServer).resolve("/mcp"),
              key,
              GATEWAY_TOOL,
              ARGUMENTS,
              EXPECTED);
      List<Scenario> warm = new ArrayList<>();
      if (settings.runs("gateway")) {
        warm.add(gateway);
      }
      if (settings.runs("breakdown")) {
        warm.add(timed);
      }
      if (settings.runs("direct") && warm.isEmpty()) {
        warm.add(direct);
      }
      warmUpJit(settings, warm, progress);
      for (int c : settings.concurrency()) {
        LoadResult d =
            settings.runs("direct")
                ? load(
                    direct, c, settings.warmup(), settings.measure(), settings, () -> {}, progress)
                : null;
        LoadResult g =
            settings.runs("gateway")
                ? load(
                    gateway, c, settings.warmup(), settings.measure(), settings, () -> {}, progress)
                : null;
        for (LoadResult r : new LoadResult[] {d, g}) {
          if (r != null) {
            plain.add(r);
          }
        }
        if (d != null && g != null) {
          pairs.add(new Report.Pair(d, g));
        }
      }
      for (int c : settings.breakdownConcurrency()) {
        LoadResult r =
            load(
                timed,
                c,
                settings.breakdownWarmup(),
                settings.breakdownMeasure(),
                settings,
                times::reset,
                progress);
        instrumented.add(r);
        breakdowns.add(new Report.Breakdown("gateway MCP → upstream MCP", r, times.take()));
      }
    }
    return new Results(plain, pairs, instrumented, breakdowns);
  }

  private static String report(
      BenchSettings settings,
      String started,
      String machine,
      double loadBefore,
      double loadAfter,
      Results results) {
    StringBuilder md = new StringBuilder();
    md.append("## Upstream MCP server benchmark, ").append(started).append("\n\n");
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
            "- tool: upstream `%s` %s directly (upstream bearer token) and as `%s` through the gateway's `/mcp`"
                + " (agent key); MCP SDK sync server on Jetty, streamable HTTP%n",
            BenchUpstream.TOOL,
            ARGUMENTS,
            GATEWAY_TOOL));
    md.append(
        String.format(
            Locale.ROOT,
            "- JIT warmup %d s of gateway traffic per concurrency level first (discarded); then per scenario: warmup %d s, measured %d s"
                + " (stage-timed runs: %d s + %d s); concurrency %s; closed loop, virtual-thread clients, one shared"
                + " java.net.http client (HTTP/1.1), one MCP session per client opened before the clock, loopback%n",
            settings.jitWarmup().toSeconds(),
            settings.warmup().toSeconds(),
            settings.measure().toSeconds(),
            settings.breakdownWarmup().toSeconds(),
            settings.breakdownMeasure().toSeconds(),
            settings.concurrency()));
    if (!results.plain().isEmpty()) {
      md.append("\n### Throughput and latency\n\n").append(Report.latencyTable(results.plain()));
    }
    if (!results.pairs().isEmpty()) {
      md.append(
              "\n### What the gateway adds (gateway against the upstream called directly, same run)\n\n")
          .append(Report.differenceTable(results.pairs()));
    }
    if (!results.breakdowns().isEmpty()) {
      md.append(
              "\n### Stage-timed runs (same pipeline, every stage wrapped by a timing decorator)\n\n")
          .append(Report.latencyTable(results.instrumented()));
      md.append("\n### Where the time goes: self time per stage\n\n")
          .append(
              Report.stageTable(
                  results.breakdowns(),
                  STAGE_NOTES,
                  "load client, loopback HTTP, Jetty/Javalin, auth, the MCP edge's JSON-RPC in and out"));
    }
    return md.toString();
  }

  /**
   * Traffic before anything counts, at each concurrency level (the highest first), {@code
   * BENCH_JIT_WARMUP_SECONDS} per level shared by the scenarios. On two cores C2 needs ~20 s of
   * gateway traffic, and traffic at 16 clients alone left C2 busy (~half a core) through the
   * one-client windows after it: one client takes other paths (no queue at the audit log's group
   * commit, no contention in the SDK client).
   */
  private static void warmUpJit(BenchSettings settings, List<Scenario> scenarios, Progress progress)
      throws IOException, InterruptedException {
    if (settings.jitWarmup().isZero() || scenarios.isEmpty()) {
      return;
    }
    long each = Math.max(2, settings.jitWarmup().toSeconds() / scenarios.size());
    List<Integer> levels = new ArrayList<>(settings.concurrency());
    levels.sort(java.util.Comparator.reverseOrder());
    for (int c : levels.stream().distinct().toList()) {
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
      }
    }
  }

  private static LoadResult load(
      Scenario s,
      int concurrency,
      Duration warmup,
      Duration measure,
      BenchSettings settings,
      Runnable atMeasureStart,
      Progress progress)
      throws IOException, InterruptedException {
    System.gc();
    LoadResult r =
        ClosedLoop.run(
            s, concurrency, warmup, measure, settings.maxRequests(), atMeasureStart, progress);
    progress.say(
        "%s c=%d: %,.0f req/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, %d errors, load %.2f",
        s.name(),
        concurrency,
        r.throughput(),
        r.percentileMillis(50),
        r.percentileMillis(90),
        r.percentileMillis(99),
        r.errors(),
        r.loadAverage());
    return r;
  }

  /**
   * The gateway's configuration: the support agent of the demo, one upstream with one
   * approved-to-be read tool.
   */
  private static Path writeConfig(Path work, URI upstream) throws IOException {
    return UpstreamGatewayConfig.write(
        work,
        "weather",
        """
          - name: weather
            type: mcp
            transport: http
            url: %s
            auth: {type: bearer, secret: "file:secrets/weather-token"}
            timeout: 10s
            tools:
              - {name: %s, risk: read}
        """
            .formatted(upstream, BenchUpstream.TOOL));
  }

  private static void writeSecret(Path data) throws IOException {
    Files.createDirectories(data.resolve("secrets"));
    Files.writeString(
        data.resolve("secrets/weather-token"), UPSTREAM_TOKEN, StandardCharsets.UTF_8);
  }
}
