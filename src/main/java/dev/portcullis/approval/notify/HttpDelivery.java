package dev.portcullis.approval.notify;

import dev.portcullis.approval.notify.NotificationChannel.DeliveryFailure;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * What the HTTP channels ({@link WebhookChannel}, {@link SlackChannel}) share: their client, and
 * turning a failed exchange or a refusing status into a {@link DeliveryFailure} that says whether
 * another attempt may succeed.
 *
 * <p>Security: a failure names the peer, the timeout, an exception's class or a status, never an
 * exception's message or an answer's text, which may echo a secret.
 */
final class HttpDelivery {
  private HttpDelivery() {}

  /** One exchange with the peer: sending the request and reading what is kept of the answer. */
  interface Exchange<T> {
    T run() throws IOException, InterruptedException;
  }

  /** A client that follows no redirect and speaks HTTP/1.1, connecting within {@code timeout}. */
  static HttpClient client(Duration timeout) {
    return HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /**
   * Runs {@code exchange} with {@code peer} ("slack", "the webhook"): a timeout or an unreachable
   * peer is retryable, an interrupt (the gateway stopping) is not.
   */
  static <T> T exchange(String peer, Duration timeout, Exchange<T> exchange)
      throws DeliveryFailure {
    try {
      return exchange.run();
    } catch (HttpTimeoutException e) {
      throw new DeliveryFailure(
          peer + " did not answer within " + timeout.toMillis() + " ms", true);
    } catch (IOException e) {
      throw new DeliveryFailure(
          peer + " is unreachable (" + e.getClass().getSimpleName() + ")", true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryFailure("interrupted: the gateway is stopping", false);
    }
  }

  /** Refuses a status other than the accepted ones; 429 and 5xx may pass and are retryable. */
  static void requireStatus(String peer, int status, boolean accepted) throws DeliveryFailure {
    if (!accepted) {
      throw new DeliveryFailure(peer + " answered HTTP " + status, status == 429 || status >= 500);
    }
  }
}
