package dev.portcullis.config;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.PolicyBundles;
import dev.portcullis.policy.SwappablePolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
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
 * <p>On a store several nodes share, each set put in force is handed to a {@link Loaded} listener
 * with the files' names and texts it was compiled from ({@link PolicySharing} publishes it).
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

  /** Told of each policy set the files put in force. */
  public interface Loaded {
    /** {@code policy} is in force, compiled from {@code files}. Must not throw. */
    void loaded(CompiledPolicy policy, List<PolicyBundles.File> files);
  }

  private final PolicyLoader loader;
  private final List<Path> paths;
  private final SwappablePolicy target;
  private final List<Loaded> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private String lastSeen;
  private List<PolicyBundles.File> lastFiles = List.of();
  private ScheduledExecutorService scheduler;
  private java.util.concurrent.ScheduledFuture<?> task;

  public PolicyReloader(PolicyLoader loader, List<Path> paths, SwappablePolicy target) {
    this.loader = loader;
    this.paths = List.copyOf(paths);
    this.target = target;
    this.lastSeen = fingerprint();
  }

  /** Tells {@code listener} of each set the files put in force from now on. */
  public void onLoaded(Loaded listener) {
    listeners.add(listener);
  }

  /** The policy files as last read (empty if they could not be read), with their version. */
  public synchronized List<PolicyBundles.File> files() {
    return lastFiles;
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
      List<PolicyBundles.File> files = lastFiles;
      if (next.version().equals(PolicyLoader.version(files))) {
        listeners.forEach(l -> l.loaded(next, files));
      } // else the files changed again while loading: the next look loads and hands them on
      return Result.RELOADED;
    } catch (ConfigException e) {
      LOG.error(
          "policy files changed but do not load; version {} stays in force.\n{}",
          target.version(),
          e.getMessage());
      return Result.REJECTED;
    }
  }

  /**
   * Reads the files, keeping them as {@link #files}, and answers their version, or the failure to
   * read them.
   */
  private String fingerprint() {
    try {
      lastFiles = PolicyLoader.read(paths);
      return PolicyLoader.version(lastFiles);
    } catch (IOException | IllegalArgumentException e) {
      lastFiles = List.of();
      return "unreadable: " + e.getMessage();
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
