package dev.portcullis.approval.notify;

import dev.portcullis.approval.ApprovalNotice;
import java.net.URI;
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
  private final String name;
  private final URI url;
  private final String secretRef;
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
    this.name = spec.name();
    this.url = spec.url();
    this.secretRef = spec.secret();
    this.secrets = secrets;
    this.timeout = timeout;
    this.json = json;
    this.clock = clock;
    this.client = HttpDelivery.client(timeout);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "webhook";
  }

  @Override
  public void send(ApprovalNotice notice) throws DeliveryFailure {
    String secret = secrets.revealForSending(name, secretRef, "the signing secret");
    byte[] body = json.writeValueAsBytes(NoticeText.json(notice, json));
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "portcullis")
            .header(
                WebhookSignature.HEADER,
                WebhookSignature.header(secret, clock.instant().getEpochSecond(), body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    int status =
        HttpDelivery.exchange(
            "the webhook",
            timeout,
            () -> client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
    HttpDelivery.requireStatus("the webhook", status, status / 100 == 2);
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
