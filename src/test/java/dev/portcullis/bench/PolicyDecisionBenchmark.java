package dev.portcullis.bench;

import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.RuleEvaluator;
import dev.portcullis.policy.ToolFacts;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/**
 * JMH benchmark of one policy decision ({@link RuleEvaluator#decide}) over the synthetic rule sets
 * of {@link SyntheticPolicy} with 10, 100 and 1,000 rules: the typical allowed call, a call no rule
 * permits, and the typical call on behalf of a verified user. Two baselines run in the same JMH
 * run: the same decision with no rules at all (the fixed cost: index lookup, verdict, decision
 * value), and the index's {@code HashMap} lookup alone. A benchmark, not a test: it asserts nothing
 * about time. One thread, so the numbers are the latency of one decision on an otherwise idle core.
 *
 * <p>Run {@code bench/policy-decision.sh}: {@link #main} prints how much work each call leaves
 * after the tool index, runs JMH (progress on stderr) and prints a Markdown table on stdout.
 */
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xms1g",
      "-Xmx1g",
      "--enable-native-access=ALL-UNNAMED",
      "--sun-misc-unsafe-memory-access=allow"
    })
public class PolicyDecisionBenchmark {
  static final List<Integer> SIZES = List.of(10, 100, 1000);

  /** A rule set of {@code rules} rules and the three calls against it. */
  @State(Scope.Benchmark)
  public static class Rules {
    @Param({"10", "100", "1000"})
    public int rules;

    CompiledPolicy policy;
    Invocation typical;
    Invocation unpermitted;
    Invocation forUser;

    @Setup(Level.Trial)
    public void build() {
      policy = SyntheticPolicy.policy(rules);
      typical = SyntheticPolicy.typicalCall();
      unpermitted = SyntheticPolicy.unpermittedCall();
      forUser = SyntheticPolicy.callForUser();
      check(RuleEvaluator.decide(policy, typical), Effect.ALLOW);
      check(RuleEvaluator.decide(policy, unpermitted), Effect.DENY);
      check(RuleEvaluator.decide(policy, forUser), Effect.ALLOW);
    }
  }

  /** The baselines: no rules, and a map like the tool index's (200 tools), alone. */
  @State(Scope.Benchmark)
  public static class Baseline {
    CompiledPolicy empty;
    Invocation typical;
    Map<String, List<Rule>> index;
    String tool;

    @Setup(Level.Trial)
    public void build() {
      empty = new CompiledPolicy(List.of(), "empty", SyntheticPolicy.CATALOG);
      typical = SyntheticPolicy.typicalCall();
      CompiledPolicy some = SyntheticPolicy.policy(10);
      index = new HashMap<>();
      for (ToolFacts t : SyntheticPolicy.CATALOG) {
        index.put(t.name(), some.rulesFor(t.name()));
      }
      tool = typical.toolName();
      check(RuleEvaluator.decide(empty, typical), Effect.DENY);
    }
  }

  private static void check(Decision decision, Effect expected) {
    if (decision.effect() != expected || !decision.errors().isEmpty()) {
      throw new IllegalStateException(
          "the benchmark's call was expected to be " + expected + " without errors: " + decision);
    }
  }

  /** A billing agent refunds 42: allowed. */
  @Benchmark
  public Decision typicalAllowed(Rules r) {
    return RuleEvaluator.decide(r.policy, r.typical);
  }

  /** The same call by an agent no rule permits: default deny. */
  @Benchmark
  public Decision deniedNoPermit(Rules r) {
    return RuleEvaluator.decide(r.policy, r.unpermitted);
  }

  /** The typical call for a verified user: a permit is needed on each side. */
  @Benchmark
  public Decision verifiedUser(Rules r) {
    return RuleEvaluator.decide(r.policy, r.forUser);
  }

  /** Baseline: the typical call against a policy with no rules (default deny). */
  @Benchmark
  public Decision baselineNoRules(Baseline b) {
    return RuleEvaluator.decide(b.empty, b.typical);
  }

  /** Baseline: the index lookup alone, one {@code HashMap.get}. */
  @Benchmark
  public List<Rule> baselineHashMapGet(Baseline b) {
    return b.index.get(b.tool);
  }

  /**
   * Prints the work per call, runs JMH and prints a Markdown table. Knobs (environment): {@code
   * BENCH_RULES} (comma-separated sizes), {@code BENCH_WARMUP_ITERATIONS}, {@code
   * BENCH_ITERATIONS}, {@code BENCH_ITERATION_SECONDS}, {@code BENCH_FORKS}, {@code BENCH_INCLUDE}
   * (a regular expression over the method names).
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    PrintStream progress = System.err;
    List<String> sizes = List.of(env.getOrDefault("BENCH_RULES", "10,100,1000").split(",", -1));
    String started = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
    double loadBefore = loadAverage();

    progress.println("[bench] work per call after the tool index, by rule-set size:");
    Map<String, SyntheticPolicy.Work> work = new HashMap<>();
    for (String size : sizes) {
      int n = Integer.parseInt(size.strip());
      CompiledPolicy policy = SyntheticPolicy.policy(n);
      work.put(
          key("typicalAllowed", n), SyntheticPolicy.work(policy, SyntheticPolicy.typicalCall()));
      work.put(
          key("deniedNoPermit", n),
          SyntheticPolicy.work(policy, SyntheticPolicy.unpermittedCall()));
      work.put(key("verifiedUser", n), SyntheticPolicy.work(policy, SyntheticPolicy.callForUser()));
      progress.printf(
          Locale.ROOT,
          "[bench]   %4d rules: typical %s, denied %s, for user %s%n",
          n,
          work.get(key("typicalAllowed", n)),
          work.get(key("deniedNoPermit", n)),
          work.get(key("verifiedUser", n)));
    }
    CompiledPolicy empty = new CompiledPolicy(List.of(), "empty", SyntheticPolicy.CATALOG);
    work.put(key("baselineNoRules", 0), SyntheticPolicy.work(empty, SyntheticPolicy.typicalCall()));

    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(
                PolicyDecisionBenchmark.class.getName()
                    + "\\."
                    + env.getOrDefault("BENCH_INCLUDE", ".*"))
            .param("rules", sizes.stream().map(String::strip).toArray(String[]::new))
            .shouldFailOnError(true);
    if (env.containsKey("BENCH_WARMUP_ITERATIONS")) {
      options.warmupIterations(Integer.parseInt(env.get("BENCH_WARMUP_ITERATIONS")));
    }
    if (env.containsKey("BENCH_ITERATIONS")) {
      options.measurementIterations(Integer.parseInt(env.get("BENCH_ITERATIONS")));
    }
    if (env.containsKey("BENCH_ITERATION_SECONDS")) {
      TimeValue t = TimeValue.seconds(Long.parseLong(env.get("BENCH_ITERATION_SECONDS")));
      options.warmupTime(t).measurementTime(t);
    }
    if (env.containsKey("BENCH_FORKS")) {
      options.forks(Integer.parseInt(env.get("BENCH_FORKS")));
    }
    Collection<RunResult> results =
        new Runner(
                options.build(),
                OutputFormatFactory.createFormatInstance(progress, VerboseMode.NORMAL))
            .run();

    String report = report(results, work, started, loadBefore, loadAverage());
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), report);
    }
    System.out.print(report);
    System.out.flush();
  }

  private static String key(String benchmark, int rules) {
    return benchmark + "/" + rules;
  }

  private record Row(
      String benchmark,
      int rules,
      double p50,
      double p90,
      double p99,
      double avg,
      double avgError,
      long samples) {}

  private static String report(
      Collection<RunResult> results,
      Map<String, SyntheticPolicy.Work> work,
      String started,
      double loadBefore,
      double loadAfter)
      throws IOException {
    Map<String, Row> rows = new LinkedHashMap<>();
    List<String> order =
        List.of(
            "baselineHashMapGet",
            "baselineNoRules",
            "typicalAllowed",
            "deniedNoPermit",
            "verifiedUser");
    for (RunResult r : results) {
      String method =
          r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
      String n = r.getParams().getParam("rules");
      int rules = n == null ? 0 : Integer.parseInt(n);
      String k = key(method, rules);
      Row old =
          rows.getOrDefault(
              k,
              new Row(
                  method, rules, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0));
      Statistics stats = r.getPrimaryResult().getStatistics();
      rows.put(
          k,
          switch (r.getParams().getMode()) {
            case SampleTime ->
                new Row(
                    method,
                    rules,
                    stats.getPercentile(50),
                    stats.getPercentile(90),
                    stats.getPercentile(99),
                    old.avg(),
                    old.avgError(),
                    stats.getN());
            case AverageTime ->
                new Row(
                    method,
                    rules,
                    old.p50(),
                    old.p90(),
                    old.p99(),
                    r.getPrimaryResult().getScore(),
                    r.getPrimaryResult().getScoreError(),
                    old.samples());
            default -> old;
          });
    }
    List<Row> sorted = new ArrayList<>(rows.values());
    sorted.sort(
        Comparator.comparingInt((Row row) -> row.rules() == 0 ? -1 : row.rules())
            .thenComparingInt(row -> order.indexOf(row.benchmark())));
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "### Results (%s, load average %.2f at start, %.2f at end)%n%n",
            started,
            loadBefore,
            loadAfter));
    out.append(String.format(Locale.ROOT, "Machine: %s%n%n", machine()));
    out.append(
        "| rules | scenario | decision | rules left by the index | principals match | conditions evaluated "
            + "| p50 (µs) | p90 (µs) | p99 (µs) | avg (µs) | samples |\n");
    out.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row row : sorted) {
      SyntheticPolicy.Work w = work.get(key(row.benchmark(), row.rules()));
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s ± %s | %d |%n",
              row.benchmark().startsWith("baseline") ? "–" : Integer.toString(row.rules()),
              row.benchmark(),
              w == null ? "–" : w.effect(),
              w == null ? "–" : Integer.toString(w.candidates()),
              w == null ? "–" : Integer.toString(w.principalsMatch()),
              w == null ? "–" : Integer.toString(w.conditionsEvaluated()),
              micros(row.p50()),
              micros(row.p90()),
              micros(row.p99()),
              micros(row.avg()),
              micros(row.avgError()),
              row.samples()));
    }
    return out.toString();
  }

  private static String micros(double value) {
    if (Double.isNaN(value)) {
      return "–";
    }
    return String.format(Locale.ROOT, value < 0.1 ? "%.3f" : "%.2f", value);
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String machine() throws IOException {
    String cpu = "unknown CPU";
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      cpu =
          Files.readAllLines(cpuinfo).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).strip())
              .findFirst()
              .orElse(cpu);
    }
    return String.format(
        Locale.ROOT,
        "%d cores (%s), %s %s, %s",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        System.getProperty("java.vm.name"),
        System.getProperty("java.vm.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"));
  }
}
