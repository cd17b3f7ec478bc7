package dev.portcullis.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The knobs of {@link GatewayScenariosBenchmark}, from environment variables (listed with their
 * defaults in {@code bench/gateway-scenarios.sh}). Every value is bounded; a bad one stops the run
 * with a message naming it.
 */
record ScenarioSettings(
    Mode mode,
    List<Workload> workloads,
    List<Workload.Door> doors,
    List<Integer> concurrency,
    int rounds,
    Duration jitWarmup,
    Duration warmup,
    Duration measure,
    double rate,
    List<Workload> openWorkloads,
    int openClients,
    Duration openMeasure,
    int storedCalls,
    int fsyncCount,
    long maxRequests,
    String gatewayHeap,
    String upstreamHeap,
    List<String> gatewayJavaOptions,
    Path workDir,
    boolean keepData,
    String durability,
    String store,
    int nodes) {

  ScenarioSettings {
    if (nodes > 1 && store.equals("sqlite")) {
      throw new IllegalArgumentException(
          "BENCH_NODES="
              + nodes
              + " needs a shared store: set BENCH_STORE to an empty PostgreSQL database's JDBC URL");
    }
    if (nodes > 1 && mode == Mode.IN_JVM) {
      throw new IllegalArgumentException(
          "BENCH_NODES=" + nodes + " runs a process per node: it needs BENCH_MODE=processes");
    }
  }

  /** Where the gateway and the upstream run. */
  enum Mode {
    PROCESSES("processes"),
    IN_JVM("in-jvm");

    final String label;

    Mode(String label) {
      this.label = label;
    }
  }

  private static final List<String> DOORS = List.of("direct", "rest", "mcp");

  static ScenarioSettings from(Map<String, String> env) {
    String stamp =
        LocalDateTime.now(java.time.ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Duration measure = seconds(env, "BENCH_SECONDS", 10, 1);
    return new ScenarioSettings(
        mode(env.getOrDefault("BENCH_MODE", "processes")),
        workloads(env, "BENCH_WORKLOADS", String.join(",", Workload.ids())),
        doors(env.getOrDefault("BENCH_DOORS", String.join(",", DOORS))),
        BenchSettings.concurrency(env.getOrDefault("BENCH_CONCURRENCY", "1,16")),
        (int) BenchSettings.number(env, "BENCH_ROUNDS", 1, 1, 20),
        seconds(env, "BENCH_JIT_WARMUP_SECONDS", 40, 0),
        seconds(env, "BENCH_WARMUP_SECONDS", 3, 0),
        measure,
        BenchSettings.number(env, "BENCH_RATE", 200, 0, 100_000),
        workloads(env, "BENCH_OPEN_WORKLOADS", "read,write"),
        (int) BenchSettings.number(env, "BENCH_OPEN_CLIENTS", 32, 1, 256),
        Duration.ofSeconds(
            BenchSettings.number(env, "BENCH_OPEN_SECONDS", measure.toSeconds(), 1, 600)),
        (int) BenchSettings.number(env, "BENCH_STORED_CALLS", 1000, 0, 1_000_000),
        (int) BenchSettings.number(env, "BENCH_FSYNC_COUNT", 1000, 0, 1_000_000),
        BenchSettings.number(env, "BENCH_MAX_REQUESTS", 1_000_000, 1, 100_000_000),
        heap(env, "BENCH_GATEWAY_HEAP"),
        heap(env, "BENCH_UPSTREAM_HEAP"),
        Arrays.stream(env.getOrDefault("BENCH_GATEWAY_JAVA_OPTS", "").strip().split("\\s+"))
            .filter(s -> !s.isEmpty())
            .toList(),
        Path.of(env.getOrDefault("BENCH_WORK_DIR", "target/bench/scenarios-" + stamp)),
        env.getOrDefault("BENCH_KEEP_DATA", "0").equals("1"),
        durability(env.getOrDefault("BENCH_DURABILITY", "strict")),
        store(env.getOrDefault("BENCH_STORE", "sqlite")),
        (int) BenchSettings.number(env, "BENCH_NODES", 1, 1, 5));
  }

  /** {@code sqlite}, or the JDBC URL of an empty PostgreSQL database (connecting as postgres). */
  private static String store(String text) {
    String s = text.strip();
    if (!s.equals("sqlite") && !s.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException(
          "BENCH_STORE="
              + text
              + ": expected sqlite or jdbc:postgresql://HOST:PORT/EMPTY_DATABASE");
    }
    return s;
  }

  /** Whether the gateway keeps its state in the data directory's SQLite file. */
  boolean embeddedStore() {
    return store.equals("sqlite");
  }

  private static String durability(String text) {
    if (!List.of("strict", "intent").contains(text.strip())) {
      throw new IllegalArgumentException(
          "BENCH_DURABILITY=" + text + ": expected strict or intent");
    }
    return text.strip();
  }

  /**
   * The gateway's configuration: the demo's as it is for {@code strict} on the embedded store (so
   * the same command runs against a gateway from before {@code audit.durability}), a copy with
   * {@code audit.durability} and {@code store} set otherwise.
   */
  Path gatewayConfig(Path work) throws java.io.IOException {
    if (durability.equals("strict") && embeddedStore()) {
      return dev.portcullis.testing.GatewayFixture.DEMO_CONFIG.toAbsolutePath();
    }
    String sections = "audit:\n  durability: " + durability + "\n";
    if (!embeddedStore()) {
      sections += "store:\n  type: postgres\n  url: " + store + "\n  user: postgres\n";
    }
    return dev.portcullis.testing.GatewayFixture.demoConfigWith(work.resolve("config"), sections);
  }

  private static Mode mode(String text) {
    return Arrays.stream(Mode.values())
        .filter(m -> m.label.equals(text.strip()))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "BENCH_MODE=" + text + ": expected processes or in-jvm"));
  }

  private static List<Workload.Door> doors(String text) {
    try {
      return BenchSettings.parts(text.toLowerCase(java.util.Locale.ROOT), DOORS).stream()
          .map(Workload.Door::of)
          .sorted()
          .toList();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("BENCH_DOORS=" + text + ": expected some of " + DOORS, e);
    }
  }

  private static List<Workload> workloads(Map<String, String> env, String name, String fallback) {
    String text = env.getOrDefault(name, fallback);
    if (text.isBlank()) {
      return List.of();
    }
    Set<String> chosen;
    try {
      chosen = BenchSettings.parts(text, Workload.ids());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name + "=" + text + ": expected some of " + Workload.ids(), e);
    }
    return Arrays.stream(Workload.values()).filter(w -> chosen.contains(w.id)).toList();
  }

  private static Duration seconds(Map<String, String> env, String name, int fallback, int min) {
    return Duration.ofSeconds(BenchSettings.number(env, name, fallback, min, 600));
  }

  private static String heap(Map<String, String> env, String name) {
    String text = env.getOrDefault(name, "1g").strip();
    if (!text.matches("[1-9][0-9]{0,5}[mMgG]")) {
      throw new IllegalArgumentException(
          name + "=" + text + ": expected a heap size such as 512m or 1g");
    }
    return text;
  }

  /**
   * The doors a workload runs through: all chosen, less direct for a workload Acme cannot do alone.
   */
  List<Workload.Door> doors(Workload w) {
    return doors.stream().filter(d -> d.gateway() || w.hasDirect()).toList();
  }
}
