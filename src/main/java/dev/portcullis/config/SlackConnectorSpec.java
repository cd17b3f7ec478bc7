package dev.portcullis.config;

import dev.portcullis.connector.chat.SlackChannels;
import dev.portcullis.connector.chat.SlackOperation;
import dev.portcullis.vault.SecretRef;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** A Slack connector as configured, with the operation of every tool bound to it. */
public record SlackConnectorSpec(
    String name,
    URI baseUri,
    SecretRef token,
    SlackChannels channels,
    Duration timeout,
    Map<String, SlackOperation> operations)
    implements ConnectorSpec {

  public SlackConnectorSpec {
    operations = Map.copyOf(operations);
  }
}
