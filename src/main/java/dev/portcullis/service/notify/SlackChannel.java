package dev.portcullis.service.notify;

import dev.portcullis.approval.ApprovalNotice;
import dev.portcullis.approval.notify.ChannelSpec;
import dev.portcullis.approval.notify.NotificationChannel;
import dev.portcullis.connector.TransportFailure;
import dev.portcullis.connector.chat.SlackTransport;
import dev.portcullis.vault.Secret;
import java.time.Duration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Posts a short notice with a link to a Slack channel, without link previews, through the shared
 * {@link SlackTransport} with a bot token resolved at sending time.
 *
 * <p>Security: the transport puts the token in the {@code Authorization} header only and masks an
 * echo of it before reading Slack's answer; its failures never hold the token.
 *
 * <p>Failure: the transport's: rate limits, Slack's outages, 5xx, timeouts and an unreachable Slack
 * are retryable; anything else (a refused token, an unknown channel) is not.
 */
public final class SlackChannel implements NotificationChannel {
  private final ChannelSpec.Slack spec;
  private final SecretLookup secrets;
  private final SlackTransport slack;

  public SlackChannel(
      ChannelSpec.Slack spec, SecretLookup secrets, Duration timeout, JsonMapper json) {
    this.spec = spec;
    this.secrets = secrets;
    this.slack = new SlackTransport(spec.baseUrl(), timeout, "slack", "the bot token", json);
  }

  @Override
  public ChannelSpec.Slack spec() {
    return spec;
  }

  @Override
  public void send(ApprovalNotice notice) throws DeliveryFailure {
    Secret token = secrets.resolveForSending(spec.name(), spec.token(), "the bot token");
    SlackTransport.Message message =
        new SlackTransport.Message(spec.channel(), NoticeText.slack(notice), null, false);
    try {
      var _ = slack.post(message, token);
    } catch (TransportFailure f) {
      throw new DeliveryFailure(f.getMessage(), f.retryable());
    }
  }

  @Override
  public void close() {
    slack.close();
  }
}
