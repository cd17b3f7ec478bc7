package dev.portcullis.connector.chat;

import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorContract;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.SlackShapedServer;
import dev.portcullis.vault.SecretResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.JsonNode;

/**
 * The connector contract for {@link SlackConnector} against {@link SlackShapedServer}: a call for
 * an id posts a message saying it to {@code #support}. Slack answers a post with the channel and
 * the message's timestamp only, so the answer is checked by the text the server recorded under that
 * timestamp. The bot token is resolved per call for the calling tool; the server can echo it, fail,
 * and count what reached it.
 */
class SlackConnectorContractTest extends ConnectorContract {
  private SlackShapedServer slack;
  private boolean unreachable;

  @BeforeEach
  void startSlack() {
    slack = SlackShapedServer.start(SECRET);
  }

  @AfterEach
  void stopSlack() {
    slack.close();
  }

  @Override
  protected Connector newConnector(SecretResolver secrets) throws IOException {
    URI base = slack.baseUri();
    if (unreachable) {
      try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        base = URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/api");
      }
    }
    return new SlackConnector(
        CONNECTOR,
        base,
        SECRET_REF,
        SlackChannels.of(List.of("#support")),
        Map.of(
            TOOL,
            new SlackOperation(TOOL, SlackOperation.Action.POST_MESSAGE),
            OTHER_TOOL,
            new SlackOperation(OTHER_TOOL, SlackOperation.Action.POST_MESSAGE)),
        secrets,
        Duration.ofSeconds(5),
        Invocations.JSON);
  }

  @Override
  protected String arguments(String id) {
    return "{\"channel\":\"#support\",\"text\":\"looked up " + id + "\"}";
  }

  /** The text of the message Slack posted under the answer's timestamp. */
  @Override
  protected String answered(JsonNode value) {
    String ts = value.path("ts").asString();
    return slack.posted().stream()
        .filter(p -> p.ts().equals(ts))
        .map(SlackShapedServer.Posted::text)
        .findFirst()
        .orElseThrow(() -> new AssertionError("slack posted nothing under " + ts + ": " + value));
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  @Override
  protected void makeUpstreamFail() {
    slack.failEveryRequest();
  }

  @Override
  protected void makeUpstreamUnreachable() {
    unreachable = true;
  }

  @Override
  protected void makeUpstreamEchoTheCredential() {
    slack.echoTheAuthorization();
  }

  @Override
  protected long requestsReceived() {
    return slack.requests().size();
  }
}
