package dev.portcullis.connector;

import dev.portcullis.invocation.FailureKind;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * What the HTTP transports (the Slack transport, the approval webhook) share: their client, and
 * turning an exchange that got no answer into a {@link TransportFailure}.
 *
 * <p>Security: a failure names the peer, the timeout or an exception's class, never an exception's
 * message, which may quote the request.
 */
public final class HttpTransport {
  private HttpTransport() {}

  /** One exchange with the peer: sending the request and reading what is kept of the answer. */
  @FunctionalInterface
  public interface Exchange<T> {
    T run() throws IOException, InterruptedException;
  }

  /** A client that follows no redirect and speaks HTTP/1.1, connecting within {@code timeout}. */
  public static HttpClient client(Duration timeout) {
    return HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /**
   * Runs {@code exchange} with {@code peer} ("slack chat", "the webhook"): a timeout or an
   * unreachable peer is retryable, an interrupt (the gateway stopping) is not.
   */
  public static <T> T exchange(String peer, Duration timeout, Exchange<T> exchange)
      throws TransportFailure {
    try {
      return exchange.run();
    } catch (HttpTimeoutException e) {
      throw TransportFailure.unanswered(
          FailureKind.UPSTREAM_TIMEOUT,
          peer + " did not answer within " + timeout.toMillis() + " ms",
          true);
    } catch (IOException e) {
      throw TransportFailure.unanswered(
          FailureKind.UPSTREAM_UNREACHABLE,
          peer + " is unreachable (" + e.getClass().getSimpleName() + ")",
          true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TransportFailure.unanswered(
          FailureKind.UPSTREAM_UNREACHABLE, "interrupted: the gateway is stopping", false);
    }
  }
}
