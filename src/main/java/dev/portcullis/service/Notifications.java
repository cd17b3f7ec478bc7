package dev.portcullis.service;

import dev.portcullis.approval.ApprovalNotice;
import dev.portcullis.approval.ApprovalNotifier;
import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.notify.NotificationChannel;
import dev.portcullis.approval.notify.NotificationChannel.DeliveryFailure;
import dev.portcullis.invocation.AuditReason;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Transition;
import dev.portcullis.pipeline.AuditEntries;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tells approvers, on every configured channel, that a call was parked, and records each delivery
 * in the audit chain: sent, or failed with the reason.
 *
 * <p>Concurrency: {@link #parked} only queues: deliveries run on a small pool of their own, never
 * on the agent's thread, so parking never waits on SMTP or Slack. At most {@value #MAX_WAITING}
 * deliveries wait at once; one more is dropped and audited as failed.
 *
 * <p>Failure: each delivery gets {@value #ATTEMPTS} attempts, retried with a doubling backoff while
 * the channel says the failure may pass (timeouts, unreachable, 429, 5xx; never another 4xx). A
 * channel that fails never blocks or fails the parked call: the approval can still be found by the
 * API, the CLI and the inbox. On {@link #close} queued deliveries get a short drain; what is still
 * undelivered then is audited as failed. Notices are not re-sent after a restart.
 *
 * <p>Audit: one record per delivery, in the same chain as the call, state AWAITING_APPROVAL, with
 * reasons {@code approval:ID}, {@code notification:sent} or {@code notification:failed}, {@code
 * channel:NAME}, {@code channel-type:TYPE} and {@code attempts:N}; a failure also has kind {@code
 * notification_failed} and its reason, which never holds a secret. Deliveries start once the parked
 * call's own record is in the chain ({@link ParkedNotices}), so theirs always come after it.
 */
public final class Notifications implements ApprovalNotifier, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);
  public static final int ATTEMPTS = 3;
  static final int MAX_WAITING = 1000;

  /** Sending threads: a channel hung until its timeout holds one of them, not the others. */
  static final int THREADS = 4;

  public static final Duration BACKOFF = Duration.ofSeconds(1);
  public static final Duration DRAIN = Duration.ofSeconds(5);

  private final List<NotificationChannel> channels;
  private final URI publicUrl;
  private final Ledger ledger;
  private final AuditEntries entries;
  private final JsonMapper json;
  private final Duration backoff;
  private final Duration drain;
  private final ScheduledThreadPoolExecutor executor;
  private final Set<Delivery> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  /** One notice to one channel, recorded exactly once; identity equality, as it sits in a set. */
  private static final class Delivery {
    private final Invocation invocation;
    private final ApprovalNotice notice;
    private final NotificationChannel channel;
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicInteger tried = new AtomicInteger();

    Delivery(Invocation invocation, ApprovalNotice notice, NotificationChannel channel) {
      this.invocation = invocation;
      this.notice = notice;
      this.channel = channel;
    }

    Invocation invocation() {
      return invocation;
    }

    ApprovalNotice notice() {
      return notice;
    }

    NotificationChannel channel() {
      return channel;
    }

    AtomicBoolean done() {
      return done;
    }

    AtomicInteger tried() {
      return tried;
    }
  }

  public Notifications(
      List<NotificationChannel> channels,
      URI publicUrl,
      Ledger ledger,
      AuditEntries entries,
      JsonMapper json) {
    this(channels, publicUrl, ledger, entries, json, BACKOFF, DRAIN);
  }

  /** As the other constructor, with the first retry's delay and the drain on close chosen. */
  public Notifications(
      List<NotificationChannel> channels,
      URI publicUrl,
      Ledger ledger,
      AuditEntries entries,
      JsonMapper json,
      Duration backoff,
      Duration drain) {
    this.channels = List.copyOf(channels);
    this.publicUrl = publicUrl;
    this.ledger = ledger;
    this.entries = entries;
    this.json = json;
    this.backoff = backoff;
    this.drain = drain;
    this.executor =
        new ScheduledThreadPoolExecutor(
            THREADS, Thread.ofPlatform().daemon().name("portcullis-notify-", 0).factory());
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public void parked(Invocation invocation, ApprovalRequest request) {
    if (channels.isEmpty()) {
      return;
    }
    try {
      ApprovalNotice notice = notice(invocation, request);
      for (NotificationChannel channel : channels) {
        if (!channel.spec().tenants().contains(invocation.tenant())) {
          continue; // a channel hears of its own tenants' calls only
        }
        Delivery d = new Delivery(invocation, notice, channel);
        if (closing || waiting.size() >= MAX_WAITING) {
          finish(
              d,
              closing
                  ? "the gateway is stopping"
                  : "more than " + MAX_WAITING + " notices are waiting");
          continue;
        }
        waiting.add(d);
        schedule(d, 1, Duration.ZERO);
      }
    } catch (RuntimeException e) {
      LOG.error("cannot notify approvers of approval {}", request.approvalId(), e);
    }
  }

  private ApprovalNotice notice(Invocation inv, ApprovalRequest request) {
    String digest = AuditEntries.digest(json, inv.arguments());
    return new ApprovalNotice(
        request.approvalId(),
        inv.invocationId(),
        inv.tenant(),
        inv.agent().id(),
        inv.user() == null ? null : inv.user().id(),
        inv.toolName(),
        inv.decision() == null ? List.of() : inv.decision().ruleIds(),
        inv.decision() == null ? null : inv.decision().reason(),
        request.createdAt(),
        request.deadline(),
        digest,
        publicUrl);
  }

  private void schedule(Delivery d, int attempt, Duration delay) {
    try {
      var _ = executor.schedule(() -> attempt(d, attempt), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      finish(d, "the gateway stopped before it was sent");
    }
  }

  private void attempt(Delivery d, int attempt) {
    if (d.done().get()) {
      return;
    }
    d.tried().incrementAndGet();
    try {
      d.channel().send(d.notice());
      finish(d, null);
    } catch (DeliveryFailure f) {
      if (f.retryable() && attempt < ATTEMPTS && !closing) {
        LOG.info(
            "notification of approval {} on channel {} failed ({}); retrying",
            d.notice().approvalId(),
            d.channel().name(),
            f.getMessage());
        schedule(d, attempt + 1, backoff.multipliedBy(1L << (attempt - 1)));
      } else {
        finish(
            d,
            f.getMessage()
                + (f.retryable() && attempt < ATTEMPTS
                    ? "; not retried, the gateway is stopping"
                    : ""));
      }
    } catch (RuntimeException e) {
      LOG.error("notification channel {} broke", d.channel().name(), e);
      finish(d, "internal error in the channel (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Records how a delivery ended, once; {@code failure} null means sent. */
  private void finish(Delivery d, String failure) {
    if (!d.done().compareAndSet(false, true)) {
      return;
    }
    waiting.remove(d);
    NotificationChannel c = d.channel();
    String approvalId = d.notice().approvalId();
    List<AuditReason> reasons =
        List.of(
            new AuditReason.Approval(approvalId),
            new AuditReason.Notification(failure == null),
            new AuditReason.Channel(c.name()),
            new AuditReason.ChannelType(c.type()),
            new AuditReason.Attempts(d.tried().get()));
    String detail =
        failure == null
            ? null
            : "approvers were not notified on channel "
                + c.name()
                + " ("
                + c.type()
                + "): "
                + failure;
    if (failure == null) {
      LOG.info("approval {} notified on channel {} ({})", approvalId, c.name(), c.type());
    } else {
      LOG.warn("approval {}: {}", approvalId, detail);
    }
    try {
      ledger.write(
          Transition.note(
              entries.event(
                  d.invocation(),
                  InvocationState.AWAITING_APPROVAL,
                  reasons,
                  failure == null ? null : "notification_failed",
                  detail)));
    } catch (InvocationStore.StoreException | RuntimeException e) {
      LOG.error(
          "cannot record the notification of approval {} on channel {}", approvalId, c.name(), e);
    }
  }

  /**
   * Gives queued deliveries a short drain, then audits what is left as not sent and closes the
   * channels.
   */
  @Override
  public void close() {
    closing = true;
    executor.shutdown();
    try {
      if (!executor.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
        executor.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    for (Delivery d : List.copyOf(waiting)) {
      finish(d, "the gateway stopped before it was sent");
    }
    channels.forEach(NotificationChannel::close);
  }
}
