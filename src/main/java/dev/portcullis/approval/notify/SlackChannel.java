package dev.portcullis.approval.notify;

import dev.portcullis.approval.ApprovalNotice;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts a short notice with a link to a Slack channel through {@code chat.postMessage}, with a bot
 * token resolved at sending time.
 *
 * <p>Security: the token goes into the {@code Authorization} header and nowhere else; of Slack's
 * answer only {@code ok} and a well-formed error code are read, so an echo of the token cannot
 * reach a log or the audit.
 *
 * <p>Failure: Slack answers most errors with HTTP 200 and {@code ok:false}. Rate limits (HTTP 429,
 * {@code ratelimited}), Slack's outages and 5xx are retryable; anything else (a refused token, an
 * unknown channel) is not.
 */
public final class SlackChannel implements NotificationChannel {
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;
  private static final Pattern ERROR_CODE = Pattern.compile("[a-z0-9_]{1,64}");
  private static final Set<String> PASSING =
      Set.of(
          "ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout");

  private final String name;
  private final URI endpoint;
  private final String tokenRef;
  private final String channel;
  private final SecretLookup secrets;
  private final Duration timeout;
  private final JsonMapper json;
  private final HttpClient client;

  public SlackChannel(
      ChannelSpec.Slack spec, SecretLookup secrets, Duration timeout, JsonMapper json) {
    this.name = spec.name();
    String base = spec.baseUrl().toString();
    this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "chat.postMessage");
    this.tokenRef = spec.token();
    this.channel = spec.channel();
    this.secrets = secrets;
    this.timeout = timeout;
    this.json = json;
    this.client = HttpDelivery.client(timeout);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "slack";
  }

  @Override
  public void send(ApprovalNotice notice) throws DeliveryFailure {
    String token = secrets.revealForSending(name, tokenRef, "the bot token");
    ObjectNode body = json.createObjectNode();
    body.put("channel", channel);
    body.put("text", NoticeText.slack(notice));
    body.put("unfurl_links", false);
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Accept", "application/json")
            .header("User-Agent", "portcullis")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
            .build();
    HttpResponse<InputStream> response =
        HttpDelivery.exchange(
            "slack",
            timeout,
            () -> client.send(request, HttpResponse.BodyHandlers.ofInputStream()));
    byte[] bytes =
        HttpDelivery.exchange(
            "slack",
            timeout,
            () -> {
              try (InputStream in = response.body()) {
                return in.readNBytes(MAX_RESPONSE_BYTES + 1);
              }
            });
    int status = response.statusCode();
    HttpDelivery.requireStatus("slack", status, status == 200);
    if (bytes.length > MAX_RESPONSE_BYTES) {
      throw new DeliveryFailure("slack answered more than " + MAX_RESPONSE_BYTES + " bytes", false);
    }
    JsonNode answer;
    try {
      answer = json.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      throw new DeliveryFailure("slack answered unreadable JSON", false);
    }
    if (!answer.path("ok").asBoolean(false)) {
      String code = answer.path("error").asString("");
      code = ERROR_CODE.matcher(code).matches() ? code : "unknown_error";
      throw new DeliveryFailure("slack refused the message: " + code, PASSING.contains(code));
    }
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
