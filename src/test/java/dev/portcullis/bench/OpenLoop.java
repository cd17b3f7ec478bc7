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
 * Open-loop load: requests are due at a fixed rate whatever the server does, request {@code i} at
 * {@code start + i / rate}, sent over {@code connections} clients (virtual threads, each with its
 * own caller, one shared HTTP/1.1 client) that each take the next due request when free, as wrk2
 * does.
 *
 * <p>Coordinated omission: latency is measured from the time a request was <em>due</em>, not from
 * when a client got round to sending it, so a server that stalls is charged for every request that
 * was due during the stall, including those that waited for a free client. The time from due to
 * sent is also kept ({@code startLag}): it shows the generator's own timer slack (tens of µs) and,
 * when large, that every client was busy, i.e. the rate was above what the server sustains.
 *
 * <p>Bounds: as {@link ClosedLoop}, each request times out after 10 s and clients still busy 30 s
 * after the deadline are interrupted.
 */
final class OpenLoop {
  private static final Duration GRACE = Duration.ofSeconds(30);

  /** An open-loop run: the load result (concurrency = clients) and how late requests were sent. */
  record Result(LoadResult load, double targetRate, Histogram startLag) {}

  private OpenLoop() {}

  static Result run(
      Scenario scenario,
      double rate,
      int connections,
      Duration warmup,
      Duration measure,
      Runnable atMeasureStart,
      Progress progress)
      throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      List<Scenario.Caller> callers = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        callers.add(scenario.clients().newCaller(http));
      }
      String probe = callers.getFirst().call();
      if (probe != null) {
        throw new IOException(scenario.name() + ": the first request failed: " + probe);
      }
      double interval = 1e9 / rate;
      long start = System.nanoTime() + Duration.ofMillis(50).toNanos();
      long measureStart = start + warmup.toNanos();
      long end = measureStart + measure.toNanos();
      AtomicLong next = new AtomicLong();
      AtomicReference<String> firstError = new AtomicReference<>();
      List<Client> clients = new ArrayList<>();
      for (Scenario.Caller caller : callers) {
        Client c = new Client(caller, start, interval, measureStart, end, next, firstError);
        c.thread =
            Thread.ofVirtual()
                .name("bench-open-" + scenario.name() + "-", clients.size())
                .start(c::loop);
        clients.add(c);
      }
      progress.say(
          "%s at %.0f req/s over %d clients: warmup %ds",
          scenario.name(), rate, connections, warmup.toSeconds());
      sleepUntil(measureStart);
      atMeasureStart.run();
      CpuSample before = CpuSample.now();
      progress.say("%s at %.0f req/s: measuring %ds", scenario.name(), rate, measure.toSeconds());
      sleepUntil(end);
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
      Histogram latency = new Histogram(3);
      Histogram lag = new Histogram(3);
      long ok = 0;
      long errors = 0;
      for (Client c : clients) {
        latency.add(c.latency);
        lag.add(c.lag);
        ok += c.ok;
        errors += c.errors;
      }
      // Throughput over the window as scheduled: requests due in it that completed, per second of
      // it.
      LoadResult load =
          new LoadResult(
              scenario.name(),
              connections,
              ok,
              errors,
              end - measureStart,
              latency,
              after.processCpuSince(before),
              after.otherShareSince(before),
              ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
              firstError.get());
      return new Result(load, rate, lag);
    }
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      Thread.sleep(Duration.ofNanos(left));
    }
  }

  /**
   * One client: takes the next due request, waits for its time, sends it. Read only after its
   * thread ends.
   */
  private static final class Client {
    private final Scenario.Caller caller;
    private final long start;
    private final double interval;
    private final long measureStart;
    private final long end;
    private final AtomicLong next;
    private final AtomicReference<String> firstError;
    private final Histogram latency = new Histogram(3);
    private final Histogram lag = new Histogram(3);
    private long ok;
    private long errors;
    private Thread thread;

    Client(
        Scenario.Caller caller,
        long start,
        double interval,
        long measureStart,
        long end,
        AtomicLong next,
        AtomicReference<String> firstError) {
      this.caller = caller;
      this.start = start;
      this.interval = interval;
      this.measureStart = measureStart;
      this.end = end;
      this.next = next;
      this.firstError = firstError;
    }

    void loop() {
      while (!Thread.currentThread().isInterrupted()) {
        long due = start + (long) (next.getAndIncrement() * interval);
        if (due >= end) {
          return;
        }
        String error;
        long sent;
        try {
          sleepUntil(due);
          sent = System.nanoTime();
          error = caller.call();
        } catch (IOException | RuntimeException e) {
          sent = due;
          error = e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        long done = System.nanoTime();
        if (due < measureStart) {
          continue;
        }
        if (error == null) {
          ok++;
          latency.recordValue(done - due);
          lag.recordValue(Math.max(0, sent - due));
        } else {
          errors++;
          firstError.compareAndSet(null, error);
        }
      }
    }
  }
}
