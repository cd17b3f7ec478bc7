package dev.portcullis.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load: {@code concurrency} clients on virtual threads, each sending its next request
 * as soon as the previous answer is read, through one shared HTTP/1.1 client. A fixed warmup, then
 * a fixed measured window; only requests that start inside the window are recorded.
 *
 * <p>Bounds: each phase ends at its deadline or after {@code maxRequests} requests, whichever comes
 * first; each request times out after 10 s; clients still running 30 s after the deadline are
 * interrupted and the run reports it. Latency is per request as the client sees it (a closed loop
 * slows down with the server, so this is service time under that concurrency, not the latency an
 * open arrival stream would see).
 */
final class ClosedLoop {
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

  private ClosedLoop() {}

  static LoadResult run(
      Scenario scenario,
      int concurrency,
      Duration warmup,
      Duration measure,
      long maxRequests,
      Runnable atMeasureStart,
      Progress progress)
      throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      List<Scenario.Caller> callers = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        callers.add(scenario.clients().newCaller(http));
      }
      String probe = callers.getFirst().call();
      if (probe != null) {
        throw new IOException(scenario.name() + ": the first request failed: " + probe);
      }
      long start = System.nanoTime();
      long measureStart = start + warmup.toNanos();
      long end = measureStart + measure.toNanos();
      AtomicLong warmupCount = new AtomicLong();
      AtomicLong measuredCount = new AtomicLong();
      AtomicReference<String> firstError = new AtomicReference<>();
      List<Client> clients = new ArrayList<>();
      for (Scenario.Caller caller : callers) {
        Client c =
            new Client(
                caller, measureStart, end, maxRequests, warmupCount, measuredCount, firstError);
        c.thread =
            Thread.ofVirtual()
                .name("bench-" + scenario.name() + "-", clients.size())
                .start(c::loop);
        clients.add(c);
      }
      progress.say("%s c=%d: warmup %ds", scenario.name(), concurrency, warmup.toSeconds());
      sleepUntil(measureStart);
      atMeasureStart.run();
      MeasuredWindow window = new MeasuredWindow();
      window.begin();
      CpuSample before = CpuSample.now();
      progress.say("%s c=%d: measuring %ds", scenario.name(), concurrency, measure.toSeconds());
      reportWhileRunning(
          measuredCount, measureStart, end, progress, scenario.name() + " c=" + concurrency);
      long joinDeadline = end + GRACE.toNanos();
      boolean timedOut = false;
      for (Client c : clients) {
        long left = joinDeadline - System.nanoTime();
        if (left <= 0 || !c.thread.join(Duration.ofNanos(Math.max(1, left)))) {
          timedOut = true;
        }
      }
      if (timedOut) {
        clients.forEach(c -> c.thread.interrupt());
        for (Client c : clients) {
          c.thread.join(Duration.ofSeconds(5));
        }
        firstError.compareAndSet(
            null, "clients still busy " + GRACE.toSeconds() + " s after the deadline");
      }
      CpuSample after = CpuSample.now();
      window.scenario = scenario.name();
      window.concurrency = concurrency;
      window.commit();
      Histogram latency = new Histogram(3);
      long ok = 0;
      long errors = 0;
      for (Client c : clients) {
        latency.add(c.latency);
        ok += c.ok;
        errors += c.errors;
      }
      return new LoadResult(
          scenario.name(),
          concurrency,
          ok,
          errors,
          after.wallNanos() - before.wallNanos(),
          latency,
          after.processCpuSince(before),
          after.otherShareSince(before),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          firstError.get());
    }
  }

  /**
   * Every few seconds of the measured window, the rate since the last report: shows warmup drift
   * and noise.
   */
  private static void reportWhileRunning(
      AtomicLong started, long from, long end, Progress progress, String what)
      throws InterruptedException {
    long lastTime = from;
    long lastCount = 0;
    while (true) {
      long next = Math.min(end, lastTime + REPORT_EVERY.toNanos());
      sleepUntil(next);
      long count = started.get();
      if (next >= end) {
        return;
      }
      progress.say(
          "%s: %,.0f req/s over the last %ds",
          what, (count - lastCount) / ((next - lastTime) / 1e9), REPORT_EVERY.toSeconds());
      lastTime = next;
      lastCount = count;
    }
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      Thread.sleep(Duration.ofNanos(left));
    }
  }

  /** One closed-loop client; its histogram and counters are read only after its thread ends. */
  private static final class Client {
    private final Scenario.Caller caller;
    private final long measureStart;
    private final long end;
    private final long maxRequests;
    private final AtomicLong warmupCount;
    private final AtomicLong measuredCount;
    private final AtomicReference<String> firstError;
    private final Histogram latency = new Histogram(3);
    private long ok;
    private long errors;
    private Thread thread;

    Client(
        Scenario.Caller caller,
        long measureStart,
        long end,
        long maxRequests,
        AtomicLong warmupCount,
        AtomicLong measuredCount,
        AtomicReference<String> firstError) {
      this.caller = caller;
      this.measureStart = measureStart;
      this.end = end;
      this.maxRequests = maxRequests;
      this.warmupCount = warmupCount;
      this.measuredCount = measuredCount;
      this.firstError = firstError;
    }

    void loop() {
      while (!Thread.currentThread().isInterrupted()) {
        long t0 = System.nanoTime();
        if (t0 >= end) {
          return;
        }
        boolean measured = t0 >= measureStart;
        AtomicLong count = measured ? measuredCount : warmupCount;
        if (count.incrementAndGet() > maxRequests) {
          if (measured) {
            return;
          }
          waitForWindow();
          continue;
        }
        String error;
        try {
          error = caller.call();
        } catch (IOException | RuntimeException e) {
          error = e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        long t1 = System.nanoTime();
        if (!measured) {
          continue;
        }
        if (error == null) {
          ok++;
          latency.recordValue(t1 - t0);
        } else {
          errors++;
          firstError.compareAndSet(null, error);
        }
      }
    }

    /** The warmup's request budget is spent: idle until the measured window opens. */
    private void waitForWindow() {
      try {
        sleepUntil(measureStart);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
