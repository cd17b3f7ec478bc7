package dev.portcullis.service.notify;

import dev.portcullis.approval.notify.NotificationChannel;
import dev.portcullis.vault.Secret;

/**
 * Resolves a channel's secret reference ({@code vault:NAME}, {@code env:NAME}, {@code file:PATH})
 * at the moment of sending. The wiring backs it with the vault, under the notification channels'
 * own scope.
 */
@FunctionalInterface
public interface SecretLookup {
  /**
   * The secret {@code ref} names, for the channel {@code channel}.
   *
   * @throws Unavailable when it cannot be resolved; the message names the reference, never a value
   */
  Secret resolve(String channel, String ref) throws Unavailable;

  /**
   * As {@link #resolve}, for a send that cannot go on without it: an unresolvable {@code what}
   * (such as "the bot token") is a delivery failure that another attempt will not cure.
   */
  default Secret resolveForSending(String channel, String ref, String what)
      throws NotificationChannel.DeliveryFailure {
    try {
      return resolve(channel, ref);
    } catch (Unavailable e) {
      throw new NotificationChannel.DeliveryFailure(
          what + " is unavailable: " + e.getMessage(), false);
    }
  }

  /** The secret could not be resolved. */
  final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message);
    }
  }
}
