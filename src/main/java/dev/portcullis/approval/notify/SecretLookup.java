package dev.portcullis.approval.notify;

/**
 * Resolves a channel's secret reference ({@code vault:NAME}, {@code env:NAME}, {@code file:PATH})
 * at the moment of sending. The wiring backs it with the vault; the approval room needs nothing
 * more than this.
 */
@FunctionalInterface
public interface SecretLookup {
  /**
   * The secret {@code ref} names, for the channel {@code channel}.
   *
   * @throws Unavailable when it cannot be resolved; the message names the reference, never a value
   */
  String reveal(String channel, String ref) throws Unavailable;

  /**
   * As {@link #reveal}, for a send that cannot go on without it: an unresolvable {@code what} (such
   * as "the bot token") is a delivery failure that another attempt will not cure.
   */
  default String revealForSending(String channel, String ref, String what)
      throws NotificationChannel.DeliveryFailure {
    try {
      return reveal(channel, ref);
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
