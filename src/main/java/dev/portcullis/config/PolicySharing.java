package dev.portcullis.config;

import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.PolicyBundles;
import dev.portcullis.policy.SwappablePolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the policy in force the same on every node sharing a store, as OPA bundles or Vault's
 * replicated policies do: a node publishes each policy set it loads from its own files (a bundle of
 * the files' names and texts and their version, {@link PolicyBundles}), and every node follows the
 * newest bundle, compiling it with its own loader, checking it in full and swapping it in.
 *
 * <p>Who wins: the newest publication. A node publishes when its files change while it runs ({@link
 * PolicyReloader}), and at start when its files are a version never published (a new policy
 * deployed by restarting a node). A node starting with the newest bundle's files publishes nothing;
 * one starting with files of a version published before and since superseded (an old image, a
 * machine the last deploy missed) publishes nothing either, and follows the newest: a stale node
 * never rolls the fleet back. To roll back, change the files on a running node.
 *
 * <p>Failure: fail closed. A bundle that does not compile here (another node's catalog or agents
 * differ), whose files do not hash to its version, or that cannot be read, is logged with its
 * problems and the policy in force stays; it is not tried again (a newer bundle is). A store that
 * cannot be read is logged and read again at the next look. A publication that fails is tried again
 * at each look until it succeeds or a newer bundle supersedes it.
 *
 * <p>Concurrency: {@link #follow}, {@link #join} and {@link Loaded#loaded} are serialised on this
 * object; they run on the schedule's thread, the signal delivery thread and the reloader's.
 * Decisions never wait for them ({@link SwappablePolicy}).
 *
 * <p>Bound: a node looks at the newest bundle every {@link #POLL} and at once when signalled, so a
 * publication is in force on every node within {@link #POLL} plus one compile when signals are
 * lost, and within a round trip when they are not.
 */
public final class PolicySharing implements PolicyReloader.Loaded, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicySharing.class);

  /** How often a node looks for a newer bundle without being signalled. */
  public static final Duration POLL = Duration.ofSeconds(1);

  private final PolicyBundles bundles;
  private final PolicyLoader loader;
  private final SwappablePolicy target;
  private final String node;
  private final Clock clock;
  private long followed;
  private Pending pending;
  private ScheduledExecutorService schedule;

  /** A set this node loaded and has not managed to publish yet. */
  private record Pending(String version, List<PolicyBundles.File> files) {}

  public PolicySharing(
      PolicyBundles bundles,
      PolicyLoader loader,
      SwappablePolicy target,
      String node,
      Clock clock) {
    this.bundles = bundles;
    this.loader = loader;
    this.target = target;
    this.node = node;
    this.clock = clock;
  }

  /**
   * At start, with {@code files} the ones the policy in force was loaded from: publishes them if
   * their version was never published, else follows the newest bundle (see the class comment).
   */
  public synchronized void join(List<PolicyBundles.File> files) {
    String own = target.version();
    if (files.isEmpty() || !PolicyLoader.version(files).equals(own)) {
      // the files changed since the policy in force was read from them: the reloader's next look
      // loads and publishes them; meanwhile, follow
      follow();
      return;
    }
    try {
      Optional<PolicyBundles.Head> newest = bundles.newest();
      if (newest.isPresent() && newest.get().version().equals(own)) {
        followed = newest.get().seq();
        LOG.info("policy version {} is the one the nodes share", own);
        return;
      }
      if (newest.isPresent() && bundles.published(own)) {
        LOG.warn(
            "this node's policy files are version {}, published before and superseded by {}:"
                + " following {} (change the files on a running node to put them back in force)",
            own,
            newest.get().version(),
            newest.get().version());
        follow();
        return;
      }
    } catch (PolicyBundles.BundleStoreException e) {
      LOG.warn("{}; publishing this node's policy when the store answers", e.getMessage());
    }
    pending = new Pending(own, files);
    publishPending();
  }

  /** A set loaded from this node's files is in force: publish it, so that every node follows. */
  @Override
  public synchronized void loaded(CompiledPolicy policy, List<PolicyBundles.File> files) {
    pending = new Pending(policy.version(), files);
    publishPending();
  }

  private void publishPending() {
    if (pending == null) {
      return;
    }
    try {
      long seq = bundles.publish(pending.version(), pending.files(), node, clock.instant());
      LOG.info(
          "published policy version {} to the other nodes (bundle {})", pending.version(), seq);
      followed = Math.max(followed, seq);
      pending = null;
    } catch (PolicyBundles.BundleStoreException e) {
      LOG.warn(
          "{}; the other nodes keep their policy until it is published (trying again in {} s)",
          e.getMessage(),
          POLL.toSeconds());
    }
  }

  /** Puts the newest bundle in force here, if it is newer than the one followed and compiles. */
  public synchronized void follow() {
    publishPending();
    Optional<PolicyBundles.Head> newest;
    try {
      newest = bundles.newest();
    } catch (PolicyBundles.BundleStoreException e) {
      LOG.warn("{}; looking again in {} s", e.getMessage(), POLL.toSeconds());
      return;
    }
    if (newest.isEmpty() || newest.get().seq() <= followed) {
      return;
    }
    PolicyBundles.Head head = newest.get();
    if (head.version().equals(target.version())) {
      followed = head.seq();
      return;
    }
    Optional<PolicyBundles.Bundle> bundle;
    try {
      bundle = bundles.read(head.seq());
    } catch (PolicyBundles.BundleStoreException e) {
      LOG.error("{}; version {} stays in force", e.getMessage(), target.version());
      if (!e.unreadable()) {
        return; // the store failed: read it again at the next look
      }
      followed = head.seq();
      return;
    }
    followed = head.seq();
    if (bundle.isEmpty()) {
      return;
    }
    PolicyBundles.Bundle b = bundle.get();
    try {
      CompiledPolicy next = loader.load(b);
      if (!next.version().equals(b.version())) {
        LOG.error(
            "policy bundle {} claims version {} but its files are version {}; version {} stays in force",
            b.seq(),
            b.version(),
            next.version(),
            target.version());
        return;
      }
      String before = target.version();
      target.swap(next);
      LOG.info(
          "policy version {} (was {}) now in force: {} rules, published by node {} at {}",
          next.version(),
          before,
          next.rules().size(),
          b.node(),
          b.publishedAt());
      next.warnings().forEach(w -> LOG.warn("policy warning: {}", w));
    } catch (ConfigException e) {
      LOG.error(
          "policy bundle {} (version {}, published by node {}) does not load on this node;"
              + " version {} stays in force.\n{}",
          b.seq(),
          b.version(),
          b.node(),
          target.version(),
          e.getMessage());
    }
  }

  /** The version of the policy in force on this node. */
  public String inForce() {
    return target.version();
  }

  /** Follows every {@link #POLL} on a daemon thread of its own, until closed. */
  public synchronized void start() {
    if (schedule != null) {
      return;
    }
    schedule =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "portcullis-policy-sharing");
              t.setDaemon(true);
              return t;
            });
    var _ =
        schedule.scheduleWithFixedDelay(
            this::safely, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void safely() {
    try {
      follow();
    } catch (RuntimeException e) {
      LOG.error("following the shared policy failed; the policy in force stays", e);
    }
  }

  @Override
  public synchronized void close() {
    if (schedule != null) {
      schedule.shutdownNow();
      schedule = null;
    }
  }
}
