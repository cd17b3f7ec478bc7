package dev.portcullis.connector.chat;

import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretUse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts messages to Slack through the Web API ({@code chat.postMessage}) with a bot token resolved
 * from its secret reference at the moment of each call.
 *
 * <p>Security: a channel outside the connector's {@link SlackChannels} is refused before the token
 * is resolved, so nothing is sent. The token goes into the {@code Authorization} header and nowhere
 * else; an echo of it in Slack's answer is masked. The agent gets {@code ok}, {@code channel} and
 * {@code ts}, not Slack's echo of the message.
 *
 * <p>Failure: Slack answers most errors with HTTP 200 and {@code {"ok":false,"error":"…"}}; each
 * becomes a typed failure carrying Slack's error code: a refused token is {@link
 * FailureKind#CREDENTIAL_UNAVAILABLE}, anything else (rate limits included) {@link
 * FailureKind#UPSTREAM_REJECTED}. No retries: a message is a write, and Slack takes no idempotency
 * key.
 *
 * <p>Concurrency: immutable; the JDK client is shared and thread-safe.
 */
public final class SlackConnector implements Connector {
  private static final Logger LOG = LoggerFactory.getLogger(SlackConnector.class);
  private static final int MAX_RESPONSE_BYTES = 1024 * 1024;

  /** Slack truncates longer messages; refusing them keeps what is posted what was asked. */
  static final int MAX_TEXT = 40_000;

  private static final Pattern TS = Pattern.compile("[0-9]{1,12}\\.[0-9]{1,9}");
  private static final Pattern ERROR_CODE = Pattern.compile("[a-z0-9_]{1,64}");
  private static final Set<String> CREDENTIAL_ERRORS =
      Set.of(
          "invalid_auth",
          "not_authed",
          "token_revoked",
          "token_expired",
          "account_inactive",
          "not_allowed_token_type");

  private final String name;
  private final URI baseUri;
  private final SecretRef token;
  private final SlackChannels channels;
  private final Map<String, SlackOperation> operations;
  private final SecretResolver secrets;
  private final Duration timeout;
  private final HttpClient client;
  private final JsonMapper json;

  public SlackConnector(
      String name,
      URI baseUri,
      SecretRef token,
      SlackChannels channels,
      Map<String, SlackOperation> operations,
      SecretResolver secrets,
      Duration timeout,
      JsonMapper json) {
    this.name = name;
    this.baseUri = baseUri;
    this.token = token;
    this.channels = channels;
    this.operations = Map.copyOf(operations);
    this.secrets = secrets;
    this.timeout = timeout;
    this.json = json;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ConnectorResult invoke(Invocation invocation) {
    SlackOperation op = operations.get(invocation.toolName());
    if (op == null) {
      return new ConnectorResult.Failure(
          FailureKind.INTERNAL,
          "connector " + name + " has no operation for " + invocation.toolName());
    }
    JsonNode args = invocation.arguments();
    JsonNode channelArg = args.path("channel");
    JsonNode textArg = args.path("text");
    JsonNode threadArg = args.path("thread_ts");
    if (!channelArg.isString() || !textArg.isString()) {
      return refused("channel and text must be strings");
    }
    Optional<String> channel = channels.match(channelArg.asString());
    if (channel.isEmpty()) {
      return refused(
          "channel " + quoted(channelArg.asString()) + " is not in its channels allowlist");
    }
    String text = textArg.asString();
    if (text.isBlank() || text.length() > MAX_TEXT) {
      return refused("text must be 1 to " + MAX_TEXT + " characters");
    }
    if (!threadArg.isMissingNode()
        && !threadArg.isNull()
        && !(threadArg.isString() && TS.matcher(threadArg.asString()).matches())) {
      return refused("thread_ts must be a message timestamp such as 1700000000.123456");
    }
    Secret secret;
    try {
      secret = secrets.resolve(token, SecretUse.tool(name, invocation.toolName()));
    } catch (SecretResolver.SecretUnavailableException e) {
      LOG.warn("connector {}: {}", name, e.getMessage());
      return new ConnectorResult.Failure(
          FailureKind.CREDENTIAL_UNAVAILABLE,
          "the credential for connector " + name + " is unavailable");
    }
    ObjectNode body = json.createObjectNode();
    body.put("channel", channel.get());
    body.put("text", text);
    if (threadArg.isString()) {
      body.put("thread_ts", threadArg.asString());
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUri + "/" + op.action().method()))
            .timeout(timeout)
            .header("Authorization", "Bearer " + secret.reveal())
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Accept", "application/json")
            .header("User-Agent", "portcullis")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
            .build();
    try {
      HttpResponse<InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      return read(response, secret);
    } catch (HttpTimeoutException e) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_TIMEOUT,
          "slack " + name + " did not answer within " + timeout.toMillis() + " ms");
    } catch (IOException e) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_UNREACHABLE,
          "slack " + name + " is unreachable (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ConnectorResult.Failure(FailureKind.UPSTREAM_UNREACHABLE, "interrupted");
    }
  }

  private ConnectorResult read(HttpResponse<InputStream> response, Secret secret)
      throws IOException {
    byte[] bytes;
    try (InputStream in = response.body()) {
      bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
    }
    String raw = new String(bytes, StandardCharsets.UTF_8);
    String text = secret.maskIn(raw);
    CredentialUse used =
        new CredentialUse(secret.ref().toString(), secret.version(), !text.equals(raw));
    if (used.echoMasked()) {
      LOG.warn(
          "connector {}: slack echoed the credential {}; masked before it left the gateway",
          name,
          secret.ref());
    }
    int status = response.statusCode();
    if (status == 429) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_REJECTED,
          "slack " + name + " refused the message: ratelimited (HTTP 429); not retried",
          used);
    }
    if (status != 200) {
      FailureKind kind =
          status >= 400 && status < 500
              ? FailureKind.UPSTREAM_REJECTED
              : FailureKind.UPSTREAM_ERROR;
      return new ConnectorResult.Failure(kind, "slack " + name + " answered HTTP " + status, used);
    }
    if (bytes.length > MAX_RESPONSE_BYTES) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_ERROR,
          "slack " + name + " answered more than " + MAX_RESPONSE_BYTES + " bytes",
          used);
    }
    JsonNode answer;
    try {
      answer = json.readTree(text);
    } catch (JacksonException e) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_ERROR, "slack " + name + " answered unreadable JSON", used);
    }
    if (!answer.path("ok").asBoolean(false)) {
      String code = answer.path("error").asString("");
      code = ERROR_CODE.matcher(code).matches() ? code : "unknown_error";
      if (CREDENTIAL_ERRORS.contains(code)) {
        return new ConnectorResult.Failure(
            FailureKind.CREDENTIAL_UNAVAILABLE,
            "the credential for connector " + name + " was refused by slack (" + code + ")",
            used);
      }
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_REJECTED, "slack " + name + " refused the message: " + code, used);
    }
    ObjectNode result = json.createObjectNode();
    result.put("ok", true);
    result.put("channel", answer.path("channel").asString(""));
    result.put("ts", answer.path("ts").asString(""));
    return new ConnectorResult.Success(result, used);
  }

  /** Stops the HTTP client; calls under way complete, a later call fails as unreachable. */
  @Override
  public void close() {
    client.shutdown();
  }

  /**
   * An agent-chosen value as it may appear in an error: quoted, one line, at most 80 characters.
   */
  static String quoted(String value) {
    String line = value.replaceAll("\\p{Cntrl}", "?");
    return "'" + (line.length() > 80 ? line.substring(0, 80) + "…" : line) + "'";
  }

  private ConnectorResult refused(String why) {
    return new ConnectorResult.Failure(
        FailureKind.UPSTREAM_REJECTED,
        "connector " + name + " refused the call: " + why + "; nothing was sent");
  }
}
