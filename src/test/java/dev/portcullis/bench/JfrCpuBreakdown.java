package dev.portcullis.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU went in each measured window of a flight recording made with {@code BENCH_JFR=1}:
 * CPU-time samples ({@code jdk.CPUTimeSample}, Linux; wall-clock execution samples elsewhere) put
 * in the first matching bucket, most specific first, so a sample in the audit append counts as
 * audit, not as the Jetty request that runs it. Prints Markdown.
 *
 * <p>Usage: {@code java -cp … dev.portcullis.bench.JfrCpuBreakdown recording.jfr}
 */
public final class JfrCpuBreakdown {
  /** Marks the scenario name of a run whose results are thrown away (the JIT warmup). */
  static final String DISCARDED = "[JIT warmup, discarded]";

  private static final Map<String, Predicate<List<String>>> BUCKETS = new LinkedHashMap<>();

  static {
    // Acme first: it runs on SQLite too, and its samples must not count as the gateway's audit.
    BUCKETS.put("Acme handlers and its SQLite", any("dev.portcullis.sample."));
    // The upstream MCP server of bench/mcp-upstream.sh: its SDK transport and tool, on Jetty
    // threads.
    BUCKETS.put(
        "upstream MCP server (MCP SDK server transport and tool)",
        any("io.modelcontextprotocol.server.", "dev.portcullis.bench.BenchUpstream"));
    BUCKETS.put(
        "audit append (JdbcAuditLog, SQLite JDBC, Hikari)",
        any("dev.portcullis.store.", "org.sqlite.", "com.zaxxer."));
    BUCKETS.put(
        "MCP connector call to the upstream (McpConnector, McpUpstream, MCP SDK client)",
        any("dev.portcullis.connector.mcp.", "io.modelcontextprotocol.client."));
    BUCKETS.put(
        "connector call to Acme (HttpConnector and the JDK client under it)",
        any("dev.portcullis.connector."));
    BUCKETS.put(
        "other pipeline stages (catalog, validate, policy, audit records)",
        any(
            "dev.portcullis.pipeline.",
            "dev.portcullis.policy.",
            "dev.portcullis.catalog.",
            "com.networknt.",
            "dev.cel."));
    BUCKETS.put(
        "gateway edge (routes, auth, request and response JSON)",
        any("dev.portcullis.edge.", "dev.portcullis.identity."));
    BUCKETS.put("load generator (bench clients)", any("dev.portcullis.bench."));
    BUCKETS.put(
        "Reactor outside the frames above (MCP SDK client and server pipelines)", any("reactor."));
    BUCKETS.put(
        "JDK HTTP client threads (selector, workers; load generator and connector)",
        any("jdk.internal.net.http."));
    BUCKETS.put(
        "Jetty and Javalin outside our code (both servers: I/O, parsing)",
        any("org.eclipse.jetty.", "io.javalin."));
    BUCKETS.put(
        "virtual-thread scheduling",
        any(
            "java.util.concurrent.ForkJoin",
            "java.lang.VirtualThread",
            "jdk.internal.vm.Continuation"));
  }

  private JfrCpuBreakdown() {}

  private record Window(String scenario, int concurrency, Instant start, Instant end) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: JfrCpuBreakdown recording.jfr");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    List<Window> windows = new ArrayList<>();
    boolean cpuTime = false;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("portcullis.bench.MeasuredWindow")
            && !e.getString("scenario").contains(DISCARDED)) {
          windows.add(
              new Window(
                  e.getString("scenario"),
                  e.getInt("concurrency"),
                  e.getStartTime(),
                  e.getEndTime()));
        } else if (type.equals("jdk.CPUTimeSample")) {
          cpuTime = true;
        }
      }
    }
    String sampleType = cpuTime ? "jdk.CPUTimeSample" : "jdk.ExecutionSample";
    List<Map<String, Integer>> counts = new ArrayList<>();
    windows.forEach(w -> counts.add(new LinkedHashMap<>()));
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        if (!e.getEventType().getName().equals(sampleType) || e.getStackTrace() == null) {
          continue;
        }
        for (int i = 0; i < windows.size(); i++) {
          Window w = windows.get(i);
          if (!e.getStartTime().isBefore(w.start()) && !e.getStartTime().isAfter(w.end())) {
            counts.get(i).merge(bucket(e), 1, Integer::sum);
          }
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "CPU by bucket in each measured window (%s samples of %s)%n",
        sampleType,
        file.getFileName());
    for (int i = 0; i < windows.size(); i++) {
      Window w = windows.get(i);
      Map<String, Integer> c = counts.get(i);
      int total = c.values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf(
          Locale.ROOT,
          "%n%s c=%d (%d samples)%n%n| where | share of sampled CPU |%n|---|---:|%n",
          w.scenario(),
          w.concurrency(),
          total);
      c.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
          .forEach(
              en ->
                  System.out.printf(
                      Locale.ROOT,
                      "| %s | %.1f%% |%n",
                      en.getKey(),
                      100.0 * en.getValue() / total));
    }
  }

  private static String bucket(RecordedEvent sample) {
    List<String> frames = new ArrayList<>();
    for (RecordedFrame f : sample.getStackTrace().getFrames()) {
      frames.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
    }
    for (Map.Entry<String, Predicate<List<String>>> b : BUCKETS.entrySet()) {
      if (b.getValue().test(frames)) {
        return b.getKey().startsWith("audit") ? b.getKey() + ": " + auditStep(frames) : b.getKey();
      }
    }
    return "other (JDK, GC-related, idle pollers)";
  }

  /**
   * The JDBC step under the audit append: commit (WAL write and fsync), statement preparation, or
   * the rest.
   */
  private static String auditStep(List<String> frames) {
    for (int i = 1; i < frames.size(); i++) {
      if (frames.get(i).startsWith("dev.portcullis.store.JdbcAuditLog.")) {
        String below = frames.get(i - 1);
        if (below.endsWith(".commit")) {
          return "commit";
        }
        if (below.endsWith(".prepareStatement")) {
          return "prepareStatement";
        }
        if (below.endsWith(".executeUpdate") || below.endsWith(".executeQuery")) {
          return "execute";
        }
        return "rest of append (hash chain, JSON, pool, lock)";
      }
    }
    return "outside an append (pool housekeeping)";
  }

  private static Predicate<List<String>> any(String... prefixes) {
    return frames ->
        frames.stream()
            .anyMatch(
                f -> {
                  for (String p : prefixes) {
                    if (f.startsWith(p)) {
                      return true;
                    }
                  }
                  return false;
                });
  }
}
