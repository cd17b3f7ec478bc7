package dev.portcullis.connector.chat;

import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.connector.TransportFailure;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretUse;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts messages an agent asks for to Slack ({@code chat.postMessage}, through {@link
 * SlackTransport}) with a bot token resolved from its secret reference at the moment of each call.
 * This class is the connector's policy (which channels, what text, which tool may ask); the
 * transport is the protocol, shared with the approval notices.
 *
 * <p>Security: a channel outside the connector's {@link SlackChannels} is refused before the token
 * is resolved, so nothing is sent. The transport puts the token in the {@code Authorization} header
 * only and masks an echo of it. The agent gets {@code ok}, {@code channel} and {@code ts}, not
 * Slack's echo of the message.
 *
 * <p>Failure: the transport's typed failure as it is (a refused token {@link
 * FailureKind#CREDENTIAL_UNAVAILABLE}, Slack's other error codes and rate limits {@link
 * FailureKind#UPSTREAM_REJECTED}). No retries, even when the failure may pass: a message is a
 * write, and Slack takes no idempotency key.
 *
 * <p>Concurrency: immutable; the transport is shared and thread-safe.
 */
public final class SlackConnector implements Connector {
  private static final Logger LOG = LoggerFactory.getLogger(SlackConnector.class);

  /** Slack truncates longer messages; refusing them keeps what is posted what was asked. */
  static final int MAX_TEXT = 40_000;

  private static final Pattern TS = Pattern.compile("[0-9]{1,12}\\.[0-9]{1,9}");
  private final String name;
  private final SecretRef token;
  private final SlackChannels channels;
  private final Map<String, SlackOperation> operations;
  private final SecretResolver secrets;
  private final SlackTransport slack;
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
    this.token = token;
    this.channels = channels;
    this.operations = Map.copyOf(operations);
    this.secrets = secrets;
    this.json = json;
    this.slack =
        new SlackTransport(
            baseUri, timeout, "slack " + name, "the credential for connector " + name, json);
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
    SlackTransport.Message message =
        new SlackTransport.Message(
            channel.get(), text, threadArg.isString() ? threadArg.asString() : null, true);
    try {
      SlackTransport.Posted posted = slack.post(message, secret);
      ObjectNode result = json.createObjectNode();
      result.put("ok", true);
      result.put("channel", posted.channel());
      result.put("ts", posted.ts());
      return new ConnectorResult.Success(result, used(secret, posted.echoMasked()));
    } catch (TransportFailure f) {
      // Not retried: a message is a write, and Slack takes no idempotency key.
      return new ConnectorResult.Failure(
          f.kind(),
          f.getMessage() + (f.status() == 429 ? "; not retried" : ""),
          f.answered() ? used(secret, f.echoMasked()) : null);
    }
  }

  private static CredentialUse used(Secret secret, boolean echoMasked) {
    return new CredentialUse(secret.ref().toString(), secret.version(), echoMasked);
  }

  /** Stops the transport's client; calls under way complete, a later call fails as unreachable. */
  @Override
  public void close() {
    slack.close();
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
