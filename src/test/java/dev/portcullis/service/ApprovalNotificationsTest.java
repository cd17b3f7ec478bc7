package dev.portcullis.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.LogCapture;
import dev.portcullis.testing.SlackShapedServer;
import dev.portcullis.testing.WebhookReceiver;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Approvers are told about a parked call by webhook, Slack and e-mail, against real servers (a JDK
 * HttpServer, the Slack-shaped server, GreenMail), through a real gateway in front of Acme.
 */
class ApprovalNotificationsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String REFUND =
      "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":120,\"reason\":\"late delivery\"}}";
  private static final String PUBLIC_URL = "https://approvals.acme.test/portcullis";
  private static final String WEBHOOK_SECRET = "whsec-notify-test-0123456789-not-for-anyone";
  private static final String SLACK_TOKEN = "xoxb-notify-test-token-0123456789";
  private static final String SMTP_PASSWORD = "smtp-notify-pa55word-not-for-anyone";

  @RegisterExtension
  static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  @TempDir Path data;
  @TempDir Path configDir;
  private GatewayFixture gateway;
  private WebhookReceiver webhook;
  private SlackShapedServer slack;

  @BeforeEach
  void servers() {
    webhook = WebhookReceiver.start();
    slack = SlackShapedServer.start(SLACK_TOKEN);
    SMTP.setUser("portcullis@acme.com", "portcullis", SMTP_PASSWORD);
  }

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
    webhook.close();
    slack.close();
  }

  @Test
  void aParkedCallIsAnnouncedOnEveryChannelWithItsLinkAndWithoutArgumentValues() throws Exception {
    try (LogCapture logs = LogCapture.start()) {
      gateway = start(webhookChannel(webhook.url()) + slackChannel("C0SUPPORT1") + emailChannel());

      HttpResponse<String> parked =
          gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND);

      assertThat(parked.statusCode()).as(parked.body()).isEqualTo(202);
      String approvalId = JSON.readTree(parked.body()).path("approvalId").asString();
      String inbox = PUBLIC_URL + "/inbox/approvals/" + approvalId;
      List<AuditEntry> sent = awaitNotifications(approvalId, 3);
      assertThat(sent)
          .allSatisfy(
              e -> {
                assertThat(e.reasons())
                    .contains("approval:" + approvalId, "notification:sent", "attempts:1");
                assertThat(e.state()).isEqualTo("AWAITING_APPROVAL");
                assertThat(e.errorKind()).isNull();
              });
      assertThat(sent)
          .extracting(
              e ->
                  e.reasons().stream()
                      .filter(r -> r.startsWith("channel-type:"))
                      .findFirst()
                      .orElseThrow())
          .containsExactlyInAnyOrder(
              "channel-type:webhook", "channel-type:slack", "channel-type:email");
      assertThat(sent).anySatisfy(e -> assertThat(e.reasons()).contains("channel:ops-hook"));
      List<String> trail =
          audit().stream()
              .map(AuditRecord::entry)
              .filter(e -> e.reasons().contains("approval:" + approvalId))
              .map(
                  e ->
                      e.reasons().stream().anyMatch(r -> r.startsWith("notification:"))
                          ? "notification"
                          : "parked")
              .toList();
      assertThat(trail)
          .as("the parked call is in the chain before anyone is told of it")
          .containsExactly("parked", "notification", "notification", "notification");

      WebhookReceiver.Received hook = webhook.received().getFirst();
      assertThat(hook.method()).isEqualTo("POST");
      assertThat(hook.contentType()).isEqualTo("application/json");
      assertSignedWith(WEBHOOK_SECRET, hook);
      JsonNode body = JSON.readTree(hook.text());
      assertThat(body.path("type").asString()).isEqualTo("approval.requested");
      assertThat(body.path("approvalId").asString()).isEqualTo(approvalId);
      assertThat(body.path("tool").asString()).isEqualTo("orders_refund");
      assertThat(body.path("agent").asString()).isEqualTo("billing-assistant");
      assertThat(body.path("tenant").asString()).isEqualTo("acme");
      assertThat(body.path("reasons").toString()).contains("refunds-over-100-need-approval");
      assertThat(body.path("deadline").asString()).isNotBlank();
      assertThat(body.path("argumentsDigest").asString()).startsWith("sha256:").hasSize(71);
      assertThat(body.at("/links/inbox").asString()).isEqualTo(inbox);
      assertThat(body.at("/links/api").asString())
          .isEqualTo(PUBLIC_URL + "/v1/approvals/" + approvalId);
      assertThat(body.path("cli").asString()).isEqualTo("portcullis approvals show " + approvalId);
      assertThat(hook.text()).doesNotContain("O-5001", "late delivery", "120");

      SlackShapedServer.Posted post = slack.posted().getFirst();
      assertThat(post.channel()).isEqualTo("C0SUPPORT1");
      assertThat(post.text())
          .contains(
              "Approval needed: orders_refund for billing-assistant",
              "<" + inbox + "|",
              "portcullis approvals show " + approvalId)
          .doesNotContain("O-5001", "late delivery");

      MimeMessage[] mails = SMTP.getReceivedMessages();
      assertThat(mails).hasSize(2);
      assertThat(mails[0].getSubject())
          .isEqualTo("Approval needed: orders_refund for billing-assistant");
      String text = (String) mails[0].getContent();
      assertThat(text)
          .contains(
              inbox,
              PUBLIC_URL + "/v1/approvals/" + approvalId,
              "portcullis approvals show " + approvalId,
              "refunds-over-100-need-approval",
              "billing-assistant",
              "Deadline:",
              "sha256:")
          .doesNotContain("O-5001", "late delivery");

      assertThat(AuditVerifier.verify(gateway.assembly().auditLog()).intact()).isTrue();
      assertNoSecretIn(logs.text());
      assertNoSecretIn(String.join("\n", audit().stream().map(r -> r.entry().toString()).toList()));
    }
  }

  @Test
  void parkingDoesNotWaitForASlowChannelAndA500IsRetriedUntilSent() throws Exception {
    gateway = start(webhookChannel(webhook.url()));
    webhook.holdAnswers();
    webhook.answerNext(500);

    HttpResponse<String> parked =
        gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND);

    assertThat(parked.statusCode()).as(parked.body()).isEqualTo(202);
    String approvalId = JSON.readTree(parked.body()).path("approvalId").asString();
    await(() -> webhook.received().size() == 1);
    assertThat(notifications(approvalId))
        .as("the receiver still holds the first attempt")
        .isEmpty();
    webhook.release();
    AuditEntry sent = awaitNotifications(approvalId, 1).getFirst();
    assertThat(sent.reasons()).contains("notification:sent", "attempts:2");
    assertThat(webhook.received()).hasSize(2);
    assertSignedWith(WEBHOOK_SECRET, webhook.received().get(1));
  }

  @Test
  void failingChannelsAreAuditedAndTheCallStaysParkedForTheApprovers() throws Exception {
    URI unreachable;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      unreachable = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/hook");
    }
    try (LogCapture logs = LogCapture.start()) {
      slack.echoTheAuthorization();
      gateway = start(webhookChannel(unreachable) + slackChannel("C0UNKNOWN9"));

      HttpResponse<String> parked =
          gateway.invoke("orders_refund", GatewayFixture.BILLING_KEY, REFUND);

      assertThat(parked.statusCode()).as(parked.body()).isEqualTo(202);
      String approvalId = JSON.readTree(parked.body()).path("approvalId").asString();
      List<AuditEntry> failed = awaitNotifications(approvalId, 2);
      AuditEntry hook = only(failed, "channel-type:webhook");
      assertThat(hook.reasons()).contains("notification:failed", "channel:ops-hook", "attempts:3");
      assertThat(hook.errorKind()).isEqualTo("notification_failed");
      assertThat(hook.errorDetail()).contains("ops-hook", "unreachable");
      AuditEntry chat = only(failed, "channel-type:slack");
      assertThat(chat.reasons())
          .as("channel_not_found does not pass: not retried")
          .contains("attempts:1");
      assertThat(chat.errorDetail()).contains("channel_not_found");

      String invocationId = JSON.readTree(parked.body()).path("invocationId").asString();
      assertThat(JSON.readTree(get("/v1/approvals/" + approvalId).body()).path("status").asString())
          .isEqualTo("pending");
      HttpResponse<String> approved =
          gateway.send(
              HttpRequest.newBuilder(
                      gateway.baseUri().resolve("/v1/approvals/" + approvalId + ":approve"))
                  .header("Authorization", "Bearer " + GatewayFixture.APPROVER_KEY)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build());
      assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
      assertThat(gateway.acme().requestLog()).containsExactly("POST /api/orders/O-5001/refunds");
      assertThat(
              audit().stream()
                  .filter(r -> r.entry().invocationId().equals(invocationId))
                  .map(r -> r.entry().state()))
          .endsWith("COMPLETED");
      assertNoSecretIn(logs.text());
      assertNoSecretIn(String.join("\n", audit().stream().map(r -> r.entry().toString()).toList()));
    }
  }

  private static AuditEntry only(List<AuditEntry> entries, String reason) {
    return entries.stream().filter(e -> e.reasons().contains(reason)).findFirst().orElseThrow();
  }

  private GatewayFixture start(String channels) throws Exception {
    String demo = Files.readString(GatewayFixture.DEMO_CONFIG, StandardCharsets.UTF_8);
    Path policies = GatewayFixture.DEMO_CONFIG.toAbsolutePath().getParent().resolve("policies");
    String config =
        replace(
            demo,
            "  listen: 127.0.0.1:8080\n",
            "  listen: 127.0.0.1:8080\n  publicUrl: " + PUBLIC_URL + "/\n");
    config =
        replace(
            config,
            "approvals:\n  timeout: 1h\n",
            "approvals:\n  timeout: 1h\n  notify:\n" + channels);
    config = replace(config, "policies:\n  - policies/", "policies:\n  - " + policies);
    Path file = configDir.resolve("portcullis.yaml");
    Files.writeString(file, config, StandardCharsets.UTF_8);
    return GatewayFixture.start(
        data,
        file,
        Map.of(
            "HOOK_SECRET",
            WEBHOOK_SECRET,
            "SLACK_TOKEN",
            SLACK_TOKEN,
            "SMTP_PASSWORD",
            SMTP_PASSWORD));
  }

  private static String replace(String text, String from, String to) {
    assertThat(text).contains(from);
    return text.replace(from, to);
  }

  private static String webhookChannel(URI url) {
    return "    - {type: webhook, name: ops-hook, url: \""
        + url
        + "\", secret: \"env:HOOK_SECRET\"}\n";
  }

  private String slackChannel(String channel) {
    return "    - {type: slack, name: ops-slack, token: \"env:SLACK_TOKEN\", channel: "
        + channel
        + ", baseUrl: \""
        + slack.baseUri()
        + "\"}\n";
  }

  private static String emailChannel() {
    return "    - {type: email, host: 127.0.0.1, port: "
        + SMTP.getSmtp().getPort()
        + ", security: none,"
        + " from: \"Portcullis <portcullis@acme.com>\", to: [olivia@acme.com, omar@acme.com],"
        + " username: portcullis, password: \"env:SMTP_PASSWORD\"}\n";
  }

  private static void assertSignedWith(String secret, WebhookReceiver.Received hook)
      throws Exception {
    assertThat(hook.signature()).matches("t=[0-9]+,v1=[0-9a-f]{64}");
    String t = hook.signature().substring(2, hook.signature().indexOf(','));
    String v1 = hook.signature().substring(hook.signature().indexOf("v1=") + 3);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] expected = mac.doFinal((t + "." + hook.text()).getBytes(StandardCharsets.UTF_8));
    assertThat(MessageDigest.isEqual(HexFormat.of().parseHex(v1), expected))
        .as("signature verifies")
        .isTrue();
    assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t))).isLessThan(300);
  }

  private static void assertNoSecretIn(String text) {
    assertThat(text).doesNotContain(WEBHOOK_SECRET, SLACK_TOKEN, SMTP_PASSWORD);
  }

  private HttpResponse<String> get(String path) {
    return gateway.send(
        HttpRequest.newBuilder(gateway.baseUri().resolve(path))
            .header("Authorization", "Bearer " + GatewayFixture.APPROVER_KEY)
            .GET()
            .build());
  }

  private List<AuditRecord> audit() throws Exception {
    List<AuditRecord> all = new ArrayList<>();
    gateway.assembly().auditLog().scan(all::add);
    return all;
  }

  private List<AuditEntry> notifications(String approvalId) throws Exception {
    Predicate<AuditEntry> notice =
        e ->
            e.reasons().contains("approval:" + approvalId)
                && e.reasons().stream().anyMatch(r -> r.startsWith("notification:"));
    return audit().stream().map(AuditRecord::entry).filter(notice).toList();
  }

  /** Polls, with a deadline, until {@code count} deliveries of {@code approvalId} are audited. */
  private List<AuditEntry> awaitNotifications(String approvalId, int count) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    List<AuditEntry> found = notifications(approvalId);
    while (found.size() < count && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
      found = notifications(approvalId);
    }
    assertThat(found).hasSize(count);
    return found;
  }

  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (!condition.getAsBoolean() && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }
}
