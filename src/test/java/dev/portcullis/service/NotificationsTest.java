package dev.portcullis.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.notify.ChannelSpec;
import dev.portcullis.approval.notify.NotificationChannel;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.catalog.StaticCatalog;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.pipeline.AuditEntries;
import dev.portcullis.service.notify.SecretLookup;
import dev.portcullis.service.notify.SlackChannel;
import dev.portcullis.service.notify.WebhookChannel;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcAuditLog;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.SlackShapedServer;
import dev.portcullis.testing.WebhookReceiver;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** Delivery rules of {@link Notifications} against a real webhook receiver and a real audit log. */
class NotificationsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SECRET = "whsec-unit-0123456789-not-for-anyone";
  private static final Duration FAST = Duration.ofMillis(10);

  @TempDir Path data;
  private EmbeddedDatabase db;
  private AuditLog audit;
  private WebhookReceiver webhook;
  private Notifications notifications;

  @BeforeEach
  void open() {
    db = EmbeddedDatabase.open(data);
    audit = new JdbcAuditLog(db, JSON);
    webhook = WebhookReceiver.start();
  }

  @AfterEach
  void close() {
    if (notifications != null) {
      notifications.close();
    }
    webhook.close();
    db.close();
  }

  private Notifications notifications(SecretLookup secrets, Duration drain) {
    return notifications(
        new WebhookChannel(
            new ChannelSpec.Webhook("hook", webhook.url(), "env:HOOK", List.of("acme")),
            secrets,
            Duration.ofSeconds(5),
            JSON,
            Clock.systemUTC()),
        drain);
  }

  private Notifications notifications(NotificationChannel channel, Duration drain) {
    AuditEntries entries =
        new AuditEntries(Clock.systemUTC(), "config-hash", new StaticCatalog(List.of()), JSON);
    return new Notifications(
        List.of(channel),
        URI.create("https://approvals.acme.test"),
        new JdbcLedger(db, JSON),
        entries,
        JSON,
        FAST,
        drain);
  }

  private static SecretLookup secret() {
    return (channel, ref) -> new Secret(SecretRef.parse(ref), SECRET);
  }

  private void park() {
    Invocation inv = Invocations.call("bot", "orders_refund", "{\"amount\":120}");
    Instant now = Instant.now();
    notifications.parked(
        inv,
        ApprovalRequest.pending("appr-1", inv.invocationId(), now, now.plus(Duration.ofHours(1))));
  }

  @Test
  void aChannelHearsOfItsOwnTenantsCallsOnly() throws Exception {
    notifications = notifications(secret(), Duration.ofSeconds(5));
    Invocation foreign =
        Invocations.call(
            new AgentRef("globex-bot", "globex", null),
            "orders_refund",
            JSON.readTree("{\"amount\":120}"),
            Map.of());
    Instant now = Instant.now();
    notifications.parked(
        foreign,
        ApprovalRequest.pending(
            "appr-globex", foreign.invocationId(), now, now.plus(Duration.ofHours(1))));

    park(); // acme's
    notifications.close(); // waits for every queued delivery, and records any it could not send
    notifications = null;

    assertThat(entries()).hasSize(1);
    assertThat(entries().getFirst().reasons()).contains("approval:appr-1", "notification:sent");
    assertThat(webhook.received())
        .hasSize(1)
        .allSatisfy(r -> assertThat(r.text()).doesNotContain("globex"));
  }

  @Test
  void a404IsNotRetried() throws Exception {
    notifications = notifications(secret(), Duration.ofSeconds(5));
    webhook.answerNext(404);

    park();

    AuditEntry e = awaitOne();
    assertThat(e.reasons()).contains("notification:failed", "attempts:1");
    assertThat(e.errorDetail()).contains("HTTP 404");
    assertThat(webhook.received()).hasSize(1);
  }

  @Test
  void a429IsRetriedAndThenSent() throws Exception {
    notifications = notifications(secret(), Duration.ofSeconds(5));
    webhook.answerNext(429);

    park();

    assertThat(awaitOne().reasons()).contains("notification:sent", "attempts:2");
    assertThat(webhook.received()).hasSize(2);
  }

  @Test
  void threeFailuresThatMayPassEndInAnAuditedFailure() throws Exception {
    notifications = notifications(secret(), Duration.ofSeconds(5));
    webhook.answerNext(503);
    webhook.answerNext(502);
    webhook.answerNext(500);

    park();

    AuditEntry e = awaitOne();
    assertThat(e.reasons()).contains("notification:failed", "attempts:3");
    assertThat(e.errorKind()).isEqualTo("notification_failed");
    assertThat(e.errorDetail()).contains("HTTP 500");
  }

  @Test
  void anUnresolvableSecretFailsTheChannelNamingOnlyItsReference() throws Exception {
    notifications =
        notifications(
            (channel, ref) -> {
              throw new SecretLookup.Unavailable("secret " + ref + " is not set");
            },
            Duration.ofSeconds(5));

    park();

    AuditEntry e = awaitOne();
    assertThat(e.reasons()).contains("notification:failed", "attempts:1");
    assertThat(e.errorDetail()).contains("env:HOOK is not set");
    assertThat(webhook.received()).isEmpty();
  }

  @Test
  void closingWhileAReceiverHangsAuditsTheUndeliveredNotice() throws Exception {
    notifications = notifications(secret(), Duration.ofMillis(200));
    webhook.holdAnswers();
    park();
    Instant deadline = Instant.now().plusSeconds(30);
    while (webhook.received().isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(10);
    }
    assertThat(webhook.received())
        .as("the delivery reached the receiver, which holds it")
        .isNotEmpty();

    notifications.close();

    List<AuditEntry> all = entries();
    assertThat(all)
        .singleElement()
        .satisfies(e -> assertThat(e.reasons()).contains("notification:failed"));
  }

  @Test
  void slackRateLimitsAreRetriedAndAnEchoedTokenNeverReachesTheAudit() throws Exception {
    String token = "xoxb-unit-echo-0123456789";
    try (SlackShapedServer slack = SlackShapedServer.start(token)) {
      notifications =
          notifications(
              new SlackChannel(
                  new ChannelSpec.Slack(
                      "chat", slack.baseUri(), "env:SLACK", "C0SUPPORT1", List.of("acme")),
                  (channel, ref) -> new Secret(SecretRef.parse(ref), token),
                  Duration.ofSeconds(5),
                  JSON),
              Duration.ofSeconds(5));
      slack.echoTheAuthorization();
      slack.answerNext(200, "{\"ok\":false,\"error\":\"ratelimited\"}");
      slack.answerNext(429, "{\"ok\":false,\"error\":\"ratelimited\"}");

      park();

      AuditEntry e = awaitOne("chat", "slack");
      assertThat(e.reasons()).contains("notification:sent", "attempts:3");
      assertThat(slack.posted())
          .singleElement()
          .satisfies(
              p ->
                  assertThat(p.text())
                      .contains("https://approvals.acme.test/inbox/approvals/appr-1"));
      slack.failEveryRequest();
      notifications.parked(
          Invocations.call("bot", "orders_refund", "{}"),
          ApprovalRequest.pending("appr-2", "inv-1", Instant.now(), Instant.now().plusSeconds(60)));
      Instant deadline = Instant.now().plusSeconds(30);
      while (entries().size() < 2 && Instant.now().isBefore(deadline)) {
        Thread.sleep(10);
      }
      AuditEntry failed = entries().getLast();
      assertThat(failed.reasons()).contains("approval:appr-2", "notification:failed", "attempts:3");
      assertThat(failed.errorDetail()).contains("fatal_error").doesNotContain(token);
    }
  }

  private List<AuditEntry> entries() throws Exception {
    List<AuditEntry> all = new ArrayList<>();
    audit.scan(r -> all.add(r.entry()));
    return all;
  }

  private AuditEntry awaitOne() throws Exception {
    return awaitOne("hook", "webhook");
  }

  private AuditEntry awaitOne(String channel, String type) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    List<AuditEntry> all = entries();
    while (all.isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(10);
      all = entries();
    }
    assertThat(all).hasSize(1);
    assertThat(all.getFirst().reasons())
        .contains("approval:appr-1", "channel:" + channel, "channel-type:" + type);
    return all.getFirst();
  }
}
