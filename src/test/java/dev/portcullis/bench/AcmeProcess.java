package dev.portcullis.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Acme alone in a process of its own ({@code portcullis sample acme --port 0}), started as {@link
 * ProcessTopology} starts it, so that the benchmark JVM's CPU time is the client's alone. Stopped
 * on {@link #close} and when this JVM ends.
 */
final class AcmeProcess implements AutoCloseable {
  private final Process process;
  private final URI uri;
  private final Thread reaper;

  private AcmeProcess(Process process, URI uri) {
    this.process = process;
    this.uri = uri;
    this.reaper = new Thread(() -> ProcessTopology.stop(process), "bench-stop-acme");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  static AcmeProcess start(Path work, Progress progress) throws IOException, InterruptedException {
    Files.createDirectories(work);
    Process p = ProcessTopology.launchAcme(work, "512m");
    Path log = work.resolve("acme.log");
    try {
      URI uri = URI.create(ProcessTopology.awaitLine(p, log, ProcessTopology.ACME_READY));
      progress.say("Acme (pid %d) at %s", p.pid(), uri);
      return new AcmeProcess(p, uri);
    } catch (IOException | RuntimeException e) {
      ProcessTopology.stop(p);
      throw e;
    }
  }

  /** Acme's root, such as {@code http://127.0.0.1:41234}; its API is under {@code /api}. */
  URI uri() {
    return uri;
  }

  @Override
  public void close() {
    ProcessTopology.stop(process);
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
