package dev.portcullis.config;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.SwappablePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the policy files without a restart: when their content changes, the new set is loaded and
 * checked in full, then put in force in one swap. A set that does not load is logged with every
 * problem and the one in force stays; it is tried again only once the files change again.
 *
 * <p>Concurrency: {@link #reloadIfChanged} is called from one scheduler thread (or a test); calls
 * in flight keep deciding on the snapshot they started with (see {@link SwappablePolicy}).
 */
public final class PolicyReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);

  /** What one look at the files found. */
  public enum Result {
    UNCHANGED,
    RELOADED,
    REJECTED
  }

  private final PolicyLoader loader;
  private final List<Path> paths;
  private final SwappablePolicy target;
  private String lastSeen;
  private ScheduledExecutorService scheduler;
  private java.util.concurrent.ScheduledFuture<?> task;

  public PolicyReloader(PolicyLoader loader, List<Path> paths, SwappablePolicy target) {
    this.loader = loader;
    this.paths = List.copyOf(paths);
    this.target = target;
    this.lastSeen = fingerprint();
  }

  /** Looks at the files every {@code interval} from now on, until closed. */
  public synchronized void start(Duration interval) {
    if (paths.isEmpty() || scheduler != null) {
      return;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "portcullis-policy-reloader");
              t.setDaemon(true);
              return t;
            });
    task =
        scheduler.scheduleWithFixedDelay(
            this::safely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void safely() {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      LOG.error("policy reload failed; the policy in force stays", e);
    }
  }

  /** Reloads if the files' content changed since the last look. */
  public synchronized Result reloadIfChanged() {
    String now = fingerprint();
    if (now.equals(lastSeen)) {
      return Result.UNCHANGED;
    }
    lastSeen = now;
    try {
      CompiledPolicy next = loader.load(paths);
      String before = target.version();
      target.swap(next);
      LOG.info(
          "policy reloaded: {} rules, version {} (was {})",
          next.rules().size(),
          next.version(),
          before);
      next.warnings().forEach(w -> LOG.warn("policy warning: {}", w));
      return Result.RELOADED;
    } catch (ConfigException e) {
      LOG.error(
          "policy files changed but do not load; version {} stays in force.\n{}",
          target.version(),
          e.getMessage());
      return Result.REJECTED;
    }
  }

  /** A hash of the policy files' names and contents, or of the failure to read them. */
  private String fingerprint() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Path file : PolicyLoader.files(paths)) {
        digest.update(file.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update(Files.readAllBytes(file));
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      task.cancel(false);
      scheduler.shutdownNow();
      scheduler = null;
    }
  }
}
