package dev.portcullis.testing;

import dev.portcullis.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code portcullis serve} child process, started as an operator would on a configuration and a
 * data directory (this JVM's classpath, a free port, no {@code PORTCULLIS_*} settings from the
 * shell), with everything it prints kept. For tests that kill a gateway and start another on the
 * same data.
 *
 * <p>Failure: {@link #awaitReady} waits for the {@code Ready.} line; a process that ends first, or
 * is not ready within 90 s, is killed and reported with what it printed.
 *
 * <p>Concurrency: the lines are read by a thread of its own and kept under this object's monitor;
 * every other method may be called from any thread.
 */
public final class ServeProcess implements AutoCloseable {
  private static final Pattern REST = Pattern.compile("REST\\s+http://[^:/]+:(\\d+)/");
  private static final Duration READY_WITHIN = Duration.ofSeconds(90);

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private boolean ended;
  private int port;

  private ServeProcess(Process process) {
    this.process = process;
  }

  /** Starts {@code serve} and waits until it says it is ready. */
  public static ServeProcess start(Path config, Path data)
      throws IOException, InterruptedException {
    return launch(config, data).awaitReady();
  }

  /** Starts {@code serve} and answers at once, before it is ready. */
  public static ServeProcess launch(Path config, Path data) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "serve",
            "--config",
            config.toString(),
            "--data",
            data.toString(),
            "--port",
            "0");
    pb.redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PORTCULLIS_"));
    ServeProcess serve = new ServeProcess(pb.start());
    Thread.ofVirtual().start(serve::read);
    return serve;
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        Matcher m = REST.matcher(line);
        synchronized (this) {
          lines.add(line);
          if (m.find()) {
            port = Integer.parseInt(m.group(1));
          }
          notifyAll();
        }
      }
    } catch (IOException killed) {
      // the process ended under us; what it printed is kept
    } finally {
      synchronized (this) {
        ended = true;
        notifyAll();
      }
    }
  }

  /** Waits until it says {@code Ready.}; answers this. */
  public ServeProcess awaitReady() throws IOException, InterruptedException {
    Optional<String> ready = awaitLine(line -> line.startsWith("Ready."), READY_WITHIN);
    if (ready.isEmpty() || port() == 0) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      throw new IOException(
          "serve (pid "
              + process.pid()
              + ") was not ready within "
              + READY_WITHIN.toSeconds()
              + " s, or ended first; it printed:\n"
              + String.join("\n", lines()));
    }
    return this;
  }

  /**
   * The first line it printed (or prints within {@code within}) that is {@code wanted}; empty if it
   * ends, or the time passes, without printing one.
   */
  public synchronized Optional<String> awaitLine(Predicate<String> wanted, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    for (int seen = 0; ; ) {
      for (; seen < lines.size(); seen++) {
        if (wanted.test(lines.get(seen))) {
          return Optional.of(lines.get(seen));
        }
      }
      long left = deadline - System.nanoTime();
      if (ended || left <= 0) {
        return Optional.empty();
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** Its name as a node of a shared store, as its banner says; empty on the embedded store. */
  public synchronized Optional<String> node() {
    return lines.stream()
        .filter(l -> l.startsWith("  node   "))
        .map(l -> l.substring("  node   ".length()).trim())
        .findFirst();
  }

  public long pid() {
    return process.pid();
  }

  /** The port its REST edge listens on, once it has said so (0 before). */
  public synchronized int port() {
    return port;
  }

  /** {@code path} on this gateway, e.g. {@code /v1/invocations/ID}. */
  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything it has printed so far. */
  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * Kills it with {@code SIGKILL} (what {@link Process#destroyForcibly} sends on Linux) and waits
   * until it is gone.
   */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "serve (pid " + process.pid() + ") still runs a minute after SIGKILL");
    }
  }

  /** Stops it as an operator would ({@code SIGTERM}) and answers its exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "serve (pid " + process.pid() + ") did not stop within a minute of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
