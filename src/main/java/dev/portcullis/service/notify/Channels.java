package dev.portcullis.service.notify;

import dev.portcullis.approval.notify.ChannelSpec;
import dev.portcullis.approval.notify.NotificationChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/** Builds the runtime channel of each configured one. */
public final class Channels {
  /** How long one attempt may take: connecting, and waiting for each answer. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Channels() {}

  public static List<NotificationChannel> of(
      List<ChannelSpec> specs, SecretLookup secrets, JsonMapper json, Clock clock) {
    return specs.stream().map(s -> of(s, secrets, json, clock)).toList();
  }

  public static NotificationChannel of(
      ChannelSpec spec, SecretLookup secrets, JsonMapper json, Clock clock) {
    return switch (spec) {
      case ChannelSpec.Webhook w -> new WebhookChannel(w, secrets, TIMEOUT, json, clock);
      case ChannelSpec.Slack s -> new SlackChannel(s, secrets, TIMEOUT, json);
      case ChannelSpec.Email e -> new EmailChannel(e, secrets, TIMEOUT, clock);
    };
  }
}
