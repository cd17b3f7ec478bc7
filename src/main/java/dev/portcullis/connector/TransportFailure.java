package dev.portcullis.connector;

import dev.portcullis.invocation.FailureKind;
import java.util.Objects;

/**
 * A message a transport ({@code chat.SlackTransport}, {@code mail.SmtpTransport}) did not deliver:
 * what went wrong as a {@link FailureKind}, whether another attempt may succeed, and a message that
 * is safe to show an agent, log and audit.
 *
 * <p>Security: the message names the peer, a timeout, an exception's class, a status, a short error
 * code or the server's words masked with the credential; never the credential itself.
 */
public final class TransportFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final FailureKind kind;
  private final boolean retryable;
  private final boolean answered;
  private final boolean echoMasked;
  private final int status;

  private TransportFailure(
      FailureKind kind,
      String message,
      boolean retryable,
      boolean answered,
      boolean echoMasked,
      int status) {
    super(Objects.requireNonNull(message, "message"));
    this.kind = Objects.requireNonNull(kind, "kind");
    this.retryable = retryable;
    this.answered = answered;
    this.echoMasked = echoMasked;
    this.status = status;
  }

  /**
   * A failure before the peer answered (timeout, unreachable, refused TLS, a message refused before
   * any connection).
   */
  public static TransportFailure unanswered(FailureKind kind, String message, boolean retryable) {
    return new TransportFailure(kind, message, retryable, false, false, 0);
  }

  /**
   * A failure in or after the peer's answer; {@code status} is its HTTP status (0 for none), {@code
   * echoMasked} whether the answer carried the credential, which was masked.
   */
  public static TransportFailure answered(
      FailureKind kind, String message, boolean retryable, int status, boolean echoMasked) {
    return new TransportFailure(kind, message, retryable, true, echoMasked, status);
  }

  public FailureKind kind() {
    return kind;
  }

  /** Whether the failure may pass (a timeout, a 5xx, a rate limit), so another attempt may work. */
  public boolean retryable() {
    return retryable;
  }

  /**
   * Whether the peer answered the request (for Slack: the token reached it); false for a timeout,
   * an unreachable peer, or a message refused before any connection.
   */
  public boolean answered() {
    return answered;
  }

  /** Whether the peer's answer echoed the credential (masked before anything read it). */
  public boolean echoMasked() {
    return echoMasked;
  }

  /** The HTTP status of the answer, or 0. */
  public int status() {
    return status;
  }
}
