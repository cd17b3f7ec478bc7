package dev.portcullis.approval.notify;

import dev.portcullis.approval.ApprovalNotice;

/**
 * One place approvers are told about a parked call: a webhook, a Slack channel, a mailbox. {@link
 * #send} makes one attempt; retrying is the caller's job.
 *
 * <p>Security: a failure's message never holds a secret (a token, a password, a signing key), nor
 * the text of an answer that may echo one unmasked.
 */
public interface NotificationChannel extends AutoCloseable {
  /** The channel's configuration: secret references, never secrets. */
  ChannelSpec spec();

  /** The configured name, unique among channels. */
  default String name() {
    return spec().name();
  }

  /** {@code webhook}, {@code slack} or {@code email}. */
  default String type() {
    return spec().type();
  }

  /**
   * Delivers {@code notice} once, on the calling thread.
   *
   * @throws DeliveryFailure when it was not delivered; {@link DeliveryFailure#retryable()} says
   *     whether another attempt may succeed
   */
  void send(ApprovalNotice notice) throws DeliveryFailure;

  /** Releases the channel's clients; a later send fails. */
  @Override
  default void close() {}

  /** A notice that did not arrive. The message is safe to log and audit. */
  final class DeliveryFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public DeliveryFailure(String message, boolean retryable) {
      super(message);
      this.retryable = retryable;
    }

    /** Whether the failure may pass (a timeout, a 5xx, a 429), so another attempt is worth it. */
    public boolean retryable() {
      return retryable;
    }
  }
}
