package dev.portcullis.bench;

import dev.portcullis.testing.GatewayFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one call costs the calling JVM in CPU with each HTTP client of {@link HttpClientVariants},
 * against Acme in a process of its own (so this JVM's CPU time is the client's alone): closed loop
 * at each client count, from virtual and from platform threads, every variant once per round and
 * the rounds repeated, so the spread shows how much the shared machine moved the figures. Virtual
 * thread pinning during the measured windows is counted with JFR's {@code jdk.VirtualThreadPinned}
 * event (threshold 0).
 *
 * <p>Bounds: each window ends at its deadline or after {@code BENCH_MAX_REQUESTS}; the first failed
 * request stops the run with its message. Acme is stopped at the end and when this JVM ends.
 *
 * <p>Knobs (environment variables, defaults in brackets): BENCH_CLIENTS
 * [jdk,jdk-direct,apache,connector], BENCH_THREADS [virtual,platform], BENCH_CONCURRENCY [1,16],
 * BENCH_ROUNDS [3], BENCH_JIT_WARMUP_SECONDS per variant before the rounds [5],
 * BENCH_WARMUP_SECONDS [2], BENCH_SECONDS [5], BENCH_MAX_REQUESTS per window [2000000],
 * BENCH_WORK_DIR [target/bench/http-client-run]. The report (Markdown) goes to stdout and to the
 * file named by the first argument, if any.
 */
public final class HttpClientBenchmark {
  private final Progress progress = new Progress(System.err);
  private final Map<String, List<Window>> results = new LinkedHashMap<>();

  private record Window(
      long requests, long cpuNanos, long wallNanos, double otherShare, PinCount pinned) {
    double cpuMicrosPerCall() {
      return cpuNanos / 1e3 / requests;
    }

    double perSecond() {
      return requests * 1e9 / wallNanos;
    }
  }

  private HttpClientBenchmark() {}

  public static void main(String[] args) throws Exception {
    new HttpClientBenchmark().run(args.length > 0 ? Path.of(args[0]) : null);
  }

  private void run(Path reportFile) throws Exception {
    Map<String, String> env = System.getenv();
    List<String> clients = list(env, "BENCH_CLIENTS", String.join(",", HttpClientVariants.NAMES));
    List<String> threads = list(env, "BENCH_THREADS", "virtual,platform");
    List<Integer> concurrency =
        BenchSettings.concurrency(env.getOrDefault("BENCH_CONCURRENCY", "1,16"));
    long rounds = BenchSettings.number(env, "BENCH_ROUNDS", 3, 1, 50);
    Duration jit =
        Duration.ofSeconds(BenchSettings.number(env, "BENCH_JIT_WARMUP_SECONDS", 5, 0, 600));
    Duration warmup =
        Duration.ofSeconds(BenchSettings.number(env, "BENCH_WARMUP_SECONDS", 2, 0, 600));
    Duration measure = Duration.ofSeconds(BenchSettings.number(env, "BENCH_SECONDS", 5, 1, 600));
    long max = BenchSettings.number(env, "BENCH_MAX_REQUESTS", 2_000_000, 1, 100_000_000);
    Path work = Path.of(env.getOrDefault("BENCH_WORK_DIR", "target/bench/http-client-run"));
    for (String t : threads) {
      if (!t.equals("virtual") && !t.equals("platform")) {
        throw new IllegalArgumentException("BENCH_THREADS: virtual or platform, not " + t);
      }
    }
    String loadBefore = loadAverage();
    Instant started = Instant.now();
    try (AcmeProcess acme = AcmeProcess.start(work, progress)) {
      for (String client : clients) {
        if (!jit.isZero()) {
          progress.say("%s: JIT warmup %ds (16 virtual threads)", client, jit.toSeconds());
          window(acme, client, "virtual", 16, Duration.ZERO, jit, max, work);
        }
      }
      for (int round = 1; round <= rounds; round++) {
        for (String kind : threads) {
          for (int c : concurrency) {
            for (String client : clients) {
              progress.say("round %d/%d: %s, %d %s threads", round, rounds, client, c, kind);
              Window w = window(acme, client, kind, c, warmup, measure, max, work);
              results.computeIfAbsent(key(client, kind, c), k -> new ArrayList<>()).add(w);
            }
          }
        }
      }
    }
    String report =
        report(clients, threads, concurrency, rounds, warmup, measure, started, loadBefore);
    System.out.print(report);
    if (reportFile != null) {
      Files.writeString(reportFile, report, StandardCharsets.UTF_8);
    }
  }

  private Window window(
      AcmeProcess acme,
      String client,
      String kind,
      int concurrency,
      Duration warmup,
      Duration measure,
      long max,
      Path work)
      throws IOException, InterruptedException {
    try (HttpClientVariants.Variant variant =
        HttpClientVariants.open(client, acme.uri(), GatewayFixture.ACME_TOKEN, work)) {
      String probe = variant.call();
      if (probe != null) {
        throw new IOException(client + ": the first request failed: " + probe);
      }
      long measureStart = System.nanoTime() + warmup.toNanos();
      long end = measureStart + measure.toNanos();
      AtomicLong measured = new AtomicLong();
      AtomicReference<String> error = new AtomicReference<>();
      List<Thread> running = new ArrayList<>();
      Thread.Builder builder =
          kind.equals("virtual")
              ? Thread.ofVirtual().name("bench-", 0)
              : Thread.ofPlatform().name("bench-", 0);
      for (int i = 0; i < concurrency; i++) {
        running.add(builder.start(() -> loop(variant, measureStart, end, max, measured, error)));
      }
      sleepUntil(measureStart);
      CpuSample before = CpuSample.now();
      long countBefore = measured.get();
      try (PinCount.Recorder pins = PinCount.record()) {
        sleepUntil(end);
        CpuSample after = CpuSample.now();
        long requests = measured.get() - countBefore;
        for (Thread t : running) {
          t.join();
        }
        if (error.get() != null) {
          throw new IOException(client + ": " + error.get());
        }
        return new Window(
            requests,
            after.processCpuSince(before),
            after.wallNanos() - before.wallNanos(),
            after.otherShareSince(before),
            pins.stop());
      }
    }
  }

  private static void loop(
      HttpClientVariants.Variant variant,
      long measureStart,
      long end,
      long max,
      AtomicLong measured,
      AtomicReference<String> error) {
    try {
      while (error.get() == null) {
        long now = System.nanoTime();
        if (now >= end || measured.get() >= max) {
          return;
        }
        String problem = variant.call();
        if (problem != null) {
          error.compareAndSet(null, problem);
          return;
        }
        if (now >= measureStart) {
          measured.incrementAndGet();
        }
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      error.compareAndSet(null, e.toString());
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(Duration.ofNanos(left));
    }
  }

  private String report(
      List<String> clients,
      List<String> threads,
      List<Integer> concurrency,
      long rounds,
      Duration warmup,
      Duration measure,
      Instant started,
      String loadBefore) {
    StringBuilder out = new StringBuilder();
    out.append("## HTTP clients: CPU per call against Acme (")
        .append(started)
        .append(")\n\n")
        .append(
            String.format(
                Locale.ROOT,
                "%d cores; %s; load average %s at start, %s at end; %d rounds of %ds warmup + %ds"
                    + " measured per row.%n%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                loadBefore,
                loadAverage(),
                rounds,
                warmup.toSeconds(),
                measure.toSeconds()));
    out.append(
        "| client | threads | clients | CPU per call, µs: median (min–max) | vs jdk | req/s: median"
            + " (min–max) | other processes' CPU (Acme's included) | pinned (events) |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (String kind : threads) {
      for (int c : concurrency) {
        double jdk =
            median(results.getOrDefault(key("jdk", kind, c), List.of()), Window::cpuMicrosPerCall);
        for (String client : clients) {
          List<Window> ws = results.get(key(client, kind, c));
          double cpu = median(ws, Window::cpuMicrosPerCall);
          out.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %s | %d | %,.0f (%,.0f–%,.0f) | %s | %,.0f (%,.0f–%,.0f) | %.0f–%.0f %% | %d |%n",
                  client,
                  kind,
                  c,
                  cpu,
                  min(ws, Window::cpuMicrosPerCall),
                  max(ws, Window::cpuMicrosPerCall),
                  Double.isNaN(jdk) ? "–" : String.format(Locale.ROOT, "%.2f", cpu / jdk),
                  median(ws, Window::perSecond),
                  min(ws, Window::perSecond),
                  max(ws, Window::perSecond),
                  100 * min(ws, Window::otherShare),
                  100 * max(ws, Window::otherShare),
                  ws.stream().mapToLong(w -> w.pinned().events()).sum()));
        }
      }
    }
    List<String> pinnedAt =
        results.values().stream()
            .flatMap(List::stream)
            .flatMap(w -> w.pinned().where().stream())
            .distinct()
            .toList();
    out.append("\nPinned at: ")
        .append(pinnedAt.isEmpty() ? "nowhere" : String.join("; ", pinnedAt))
        .append('\n');
    return out.toString();
  }

  private static String key(String client, String kind, int concurrency) {
    return client + "/" + kind + "/" + concurrency;
  }

  private static double median(List<Window> ws, java.util.function.ToDoubleFunction<Window> f) {
    double[] v = ws.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static double min(List<Window> ws, java.util.function.ToDoubleFunction<Window> f) {
    return ws.stream().mapToDouble(f).min().orElse(Double.NaN);
  }

  private static double max(List<Window> ws, java.util.function.ToDoubleFunction<Window> f) {
    return ws.stream().mapToDouble(f).max().orElse(Double.NaN);
  }

  private static List<String> list(Map<String, String> env, String name, String fallback) {
    return Arrays.stream(env.getOrDefault(name, fallback).split(",", -1))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ", -1);
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
