package dev.portcullis.connector.chat;

import dev.portcullis.connector.HttpTransport;
import dev.portcullis.connector.TransportFailure;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.vault.Secret;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts one message through Slack's Web API ({@code chat.postMessage}) with a bot token handed in
 * per call. The one place that speaks Slack: the chat connector and the approval notices both send
 * through it.
 *
 * <p>Security: the token goes into the {@code Authorization} header and nowhere else. Slack's
 * answer is masked with the token ({@link Secret#maskIn}, every live version, in any encoding)
 * before it is read, so an echo reaches nothing; of it only {@code ok}, {@code channel}, {@code ts}
 * and a well-formed error code are kept. Redirects are not followed.
 *
 * <p>Failure ({@link TransportFailure}, its message named by {@code peer}, such as "slack chat"):
 * Slack answers most errors with HTTP 200 and {@code ok:false}. A refused token is {@link
 * FailureKind#CREDENTIAL_UNAVAILABLE}; another error code, a 4xx and a 429 are {@link
 * FailureKind#UPSTREAM_REJECTED}; a 5xx or an unreadable answer {@link FailureKind#UPSTREAM_ERROR}.
 * Rate limits, Slack's outages, 5xx, timeouts and an unreachable Slack may pass (retryable);
 * retrying is the caller's choice.
 *
 * <p>Concurrency: immutable; the JDK client is shared and thread-safe.
 */
public final class SlackTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SlackTransport.class);
  static final int MAX_RESPONSE_BYTES = 1024 * 1024;
  private static final Pattern ERROR_CODE = Pattern.compile("[a-z0-9_]{1,64}");
  private static final Set<String> CREDENTIAL_ERRORS =
      Set.of(
          "invalid_auth",
          "not_authed",
          "token_revoked",
          "token_expired",
          "account_inactive",
          "not_allowed_token_type");
  private static final Set<String> PASSING =
      Set.of(
          "ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout");

  private final URI endpoint;
  private final Duration timeout;
  private final String peer;
  private final String credential;
  private final JsonMapper json;
  private final HttpClient client;

  /**
   * One message: {@code threadTs} null for a new thread; {@code linkPreviews} false sends {@code
   * unfurl_links: false}, true leaves it to Slack's default.
   */
  public record Message(String channel, String text, String threadTs, boolean linkPreviews) {
    public Message {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(text, "text");
    }
  }

  /** Where Slack posted the message; {@code echoMasked} when its answer carried the token. */
  public record Posted(String channel, String ts, boolean echoMasked) {}

  /**
   * @param baseUri the Web API's base, such as {@code https://slack.com/api}
   * @param timeout for connecting and for the whole exchange
   * @param peer how failures name Slack: {@code "slack chat"} for the connector chat
   * @param credential how failures name the token: {@code "the credential for connector chat"}
   */
  public SlackTransport(
      URI baseUri, Duration timeout, String peer, String credential, JsonMapper json) {
    String base = baseUri.toString();
    this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "chat.postMessage");
    this.timeout = timeout;
    this.peer = peer;
    this.credential = credential;
    this.json = json;
    this.client = HttpTransport.client(timeout);
  }

  /** Posts {@code message} with {@code token}, on the calling thread, once. */
  public Posted post(Message message, Secret token) throws TransportFailure {
    ObjectNode body = json.createObjectNode();
    body.put("channel", message.channel());
    body.put("text", message.text());
    if (message.threadTs() != null) {
      body.put("thread_ts", message.threadTs());
    }
    if (!message.linkPreviews()) {
      body.put("unfurl_links", false);
    }
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Authorization", "Bearer " + token.reveal())
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Accept", "application/json")
            .header("User-Agent", "portcullis")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
            .build();
    HttpResponse<InputStream> response =
        HttpTransport.exchange(
            peer, timeout, () -> client.send(request, HttpResponse.BodyHandlers.ofInputStream()));
    byte[] bytes =
        HttpTransport.exchange(
            peer,
            timeout,
            () -> {
              try (InputStream in = response.body()) {
                return in.readNBytes(MAX_RESPONSE_BYTES + 1);
              }
            });
    return read(response.statusCode(), bytes, token);
  }

  /** A failure in or after Slack's answer. */
  @FunctionalInterface
  private interface Refusal {
    TransportFailure of(FailureKind kind, String message, boolean retryable);
  }

  private Posted read(int status, byte[] bytes, Secret token) throws TransportFailure {
    String raw = new String(bytes, StandardCharsets.UTF_8);
    String text = token.maskIn(raw);
    boolean echo = !text.equals(raw);
    if (echo) {
      LOG.warn("{} echoed the credential {}; masked before it left the gateway", peer, token.ref());
    }
    Refusal refused =
        (kind, message, retry) -> TransportFailure.answered(kind, message, retry, status, echo);
    if (status == 429) {
      throw refused.of(
          FailureKind.UPSTREAM_REJECTED,
          peer + " refused the message: ratelimited (HTTP 429)",
          true);
    }
    if (status != 200) {
      throw refused.of(
          status / 100 == 4 ? FailureKind.UPSTREAM_REJECTED : FailureKind.UPSTREAM_ERROR,
          peer + " answered HTTP " + status,
          status >= 500);
    }
    if (bytes.length > MAX_RESPONSE_BYTES) {
      throw refused.of(
          FailureKind.UPSTREAM_ERROR,
          peer + " answered more than " + MAX_RESPONSE_BYTES + " bytes",
          false);
    }
    JsonNode answer;
    try {
      answer = json.readTree(text);
    } catch (JacksonException e) {
      throw refused.of(FailureKind.UPSTREAM_ERROR, peer + " answered unreadable JSON", false);
    }
    if (!answer.path("ok").asBoolean(false)) {
      String code = answer.path("error").asString("");
      code = ERROR_CODE.matcher(code).matches() ? code : "unknown_error";
      throw CREDENTIAL_ERRORS.contains(code)
          ? refused.of(
              FailureKind.CREDENTIAL_UNAVAILABLE,
              credential + " was refused by slack (" + code + ")",
              false)
          : refused.of(
              FailureKind.UPSTREAM_REJECTED,
              peer + " refused the message: " + code,
              PASSING.contains(code));
    }
    return new Posted(answer.path("channel").asString(""), answer.path("ts").asString(""), echo);
  }

  /** Stops the HTTP client; posts under way complete, a later one fails as unreachable. */
  @Override
  public void close() {
    client.shutdown();
  }
}
