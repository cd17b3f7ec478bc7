package dev.portcullis.service.notify;

import dev.portcullis.approval.ApprovalNotice;
import dev.portcullis.approval.notify.ChannelSpec;
import dev.portcullis.approval.notify.NotificationChannel;
import dev.portcullis.connector.HttpTransport;
import dev.portcullis.connector.TransportFailure;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import tools.jackson.databind.json.JsonMapper;

/**
 * POSTs a notice as JSON to a configured URL, signed ({@link WebhookSignature}) with a secret
 * resolved at sending time.
 *
 * <p>Security: the secret keys the HMAC and goes nowhere else; the receiver's answer is not read
 * beyond its status. Redirects are not followed.
 *
 * <p>Failure: 2xx is delivered; a timeout, an unreachable host, 429 or 5xx may pass and is
 * retryable; any other status is not.
 *
 * <p>Concurrency: immutable; the JDK client is shared and thread-safe.
 */
public final class WebhookChannel implements NotificationChannel {
  private static final String PEER = "the webhook";

  private final ChannelSpec.Webhook spec;
  private final SecretLookup secrets;
  private final Duration timeout;
  private final JsonMapper json;
  private final Clock clock;
  private final HttpClient client;

  public WebhookChannel(
      ChannelSpec.Webhook spec,
      SecretLookup secrets,
      Duration timeout,
      JsonMapper json,
      Clock clock) {
    this.spec = spec;
    this.secrets = secrets;
    this.timeout = timeout;
    this.json = json;
    this.clock = clock;
    this.client = HttpTransport.client(timeout);
  }

  @Override
  public ChannelSpec.Webhook spec() {
    return spec;
  }

  @Override
  public void send(ApprovalNotice notice) throws DeliveryFailure {
    String secret =
        secrets.resolveForSending(spec.name(), spec.secret(), "the signing secret").reveal();
    byte[] body = json.writeValueAsBytes(NoticeText.json(notice, json));
    HttpRequest request =
        HttpRequest.newBuilder(spec.url())
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "portcullis")
            .header(
                WebhookSignature.HEADER,
                WebhookSignature.header(secret, clock.instant().getEpochSecond(), body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    int status;
    try {
      status =
          HttpTransport.exchange(
              PEER,
              timeout,
              () -> client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
    } catch (TransportFailure f) {
      throw new DeliveryFailure(f.getMessage(), f.retryable());
    }
    if (status / 100 != 2) {
      throw new DeliveryFailure(PEER + " answered HTTP " + status, status == 429 || status >= 500);
    }
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
