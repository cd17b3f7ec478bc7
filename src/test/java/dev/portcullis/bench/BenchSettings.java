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
 * The benchmark's knobs, from environment variables with defaults that keep a full run under about
 * three minutes. Every value is bounded; a bad one stops the run with a message naming it.
 */
record BenchSettings(
    Duration jitWarmup,
    Duration warmup,
    Duration measure,
    List<Integer> concurrency,
    Duration breakdownWarmup,
    Duration breakdownMeasure,
    Duration probe,
    long maxRequests,
    Set<String> parts,
    Path workDir,
    boolean keepData) {
  /**
   * The parts of a run, in the order they run; BENCH_PARTS picks some (e.g. "rest" to profile one
   * door).
   */
  static final List<String> PARTS =
      List.of("direct", "rest", "mcp", "separate", "breakdown", "probes");

  static BenchSettings from(Map<String, String> env) {
    return from(env, PARTS);
  }

  /**
   * The knobs of a benchmark whose parts are {@code known} (BENCH_PARTS picks some, default all).
   */
  static BenchSettings from(Map<String, String> env, List<String> known) {
    String stamp =
        LocalDateTime.now(java.time.ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return new BenchSettings(
        Duration.ofSeconds(number(env, "BENCH_JIT_WARMUP_SECONDS", 20, 0, 600)),
        seconds(env, "BENCH_WARMUP_SECONDS", 3),
        seconds(env, "BENCH_SECONDS", 10),
        concurrency(env.getOrDefault("BENCH_CONCURRENCY", "1,16")),
        seconds(env, "BENCH_BREAKDOWN_WARMUP_SECONDS", 2),
        seconds(env, "BENCH_BREAKDOWN_SECONDS", 5),
        seconds(env, "BENCH_PROBE_SECONDS", 2),
        number(env, "BENCH_MAX_REQUESTS", 1_000_000, 1, 100_000_000),
        parts(env.getOrDefault("BENCH_PARTS", String.join(",", known)), known),
        Path.of(env.getOrDefault("BENCH_WORK_DIR", "target/bench/run-" + stamp)),
        env.getOrDefault("BENCH_KEEP_DATA", "0").equals("1"));
  }

  private static Duration seconds(Map<String, String> env, String name, int fallback) {
    return Duration.ofSeconds(number(env, name, fallback, 1, 600));
  }

  static long number(Map<String, String> env, String name, long fallback, long min, long max) {
    String text = env.get(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text.strip());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + "=" + text + ": expected a whole number from " + min + " to " + max);
  }

  boolean runs(String part) {
    return parts.contains(part);
  }

  /** The concurrency levels of the stage-timed runs: none when the breakdown is not chosen. */
  List<Integer> breakdownConcurrency() {
    return runs("breakdown") ? concurrency : List.of();
  }

  static Set<String> parts(String text, List<String> known) {
    Set<String> chosen = Set.copyOf(Arrays.asList(text.strip().split("[,\\s]+")));
    if (!known.containsAll(chosen)) {
      throw new IllegalArgumentException("BENCH_PARTS=" + text + ": expected some of " + known);
    }
    return chosen;
  }

  static List<Integer> concurrency(String text) {
    try {
      List<Integer> levels =
          Arrays.stream(text.split("[,\\s]+"))
              .filter(s -> !s.isEmpty())
              .map(Integer::valueOf)
              .toList();
      if (!levels.isEmpty() && levels.stream().allMatch(c -> c >= 1 && c <= 256)) {
        return levels;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "BENCH_CONCURRENCY=" + text + ": expected client counts from 1 to 256, e.g. \"1,16\"");
  }
}
