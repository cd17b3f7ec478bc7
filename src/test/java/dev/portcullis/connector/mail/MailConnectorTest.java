package dev.portcullis.connector.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.MailServers;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretSources;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The SMTP connector against a real SMTP server (GreenMail), checked on the server's side. */
class MailConnectorTest {
  private static final String PASSWORD = "smtp-pa55word-not-for-anyone";

  /**
   * One server for the class (SMTPS is slow to start on a busy machine); mailboxes emptied per
   * test.
   */
  @RegisterExtension static final GreenMailExtension SMTP = MailServers.plainAndTls();

  @TempDir Path data;

  @BeforeEach
  void emptyMailboxes() throws Exception {
    SMTP.purgeEmailFromAllMailboxes();
  }

  private MailConnector connector(
      MailSecurity security, int port, Optional<String> user, String password) {
    SmtpServer server =
        new SmtpServer(
            "127.0.0.1",
            port,
            security,
            user,
            user.map(u -> SecretRef.parse("env:SMTP_PASSWORD")),
            Duration.ofSeconds(5));
    return new MailConnector(
        "mail",
        server,
        "Portcullis <bot@acme.com>",
        RecipientDomains.of(List.of("acme.com", "*.partner.org")),
        10,
        Map.of("send_mail", new MailOperation("send_mail", MailOperation.Action.SEND)),
        new SecretSources(Map.of("SMTP_PASSWORD", password), data),
        JsonMapper.builder().build(),
        Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC));
  }

  private MailConnector plain() {
    return connector(MailSecurity.NONE, SMTP.getSmtp().getPort(), Optional.empty(), "");
  }

  private static ConnectorResult send(MailConnector c, String args) {
    return c.invoke(Invocations.call("bot", "send_mail", args));
  }

  private static String refusal(ConnectorResult r) {
    assertThat(r).isInstanceOf(ConnectorResult.Failure.class);
    ConnectorResult.Failure f = (ConnectorResult.Failure) r;
    assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_REJECTED);
    return f.detail();
  }

  @Test
  void sendsPlainTextFromTheConfiguredSenderToAllowedRecipients() throws Exception {
    ConnectorResult r =
        send(
            plain(),
            """
        {"to":["ann@acme.com"],"cc":["Bob@EU.Partner.org"],"subject":"Ticket 42 – solved","body":"Hello Ann,\\nit is fixed."}""");

    assertThat(r).isInstanceOf(ConnectorResult.Success.class);
    MimeMessage[] received = SMTP.getReceivedMessages();
    assertThat(received).hasSize(2);
    MimeMessage m = received[0];
    assertThat(m.getFrom())
        .extracting(Object::toString)
        .containsExactly("Portcullis <bot@acme.com>");
    assertThat(m.getRecipients(Message.RecipientType.TO))
        .extracting(Object::toString)
        .containsExactly("ann@acme.com");
    assertThat(m.getRecipients(Message.RecipientType.CC))
        .extracting(Object::toString)
        .containsExactly("Bob@EU.Partner.org");
    assertThat(m.getSubject()).isEqualTo("Ticket 42 – solved");
    assertThat(m.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
    assertThat(((String) m.getContent()).replace("\r\n", "\n"))
        .isEqualTo("Hello Ann,\nit is fixed.");
    assertThat(m.getSentDate().toInstant()).isEqualTo(Instant.parse("2026-11-23T10:00:00Z"));
    var value = ((ConnectorResult.Success) r).value();
    assertThat(value.path("messageId").asString())
        .isEqualTo(m.getMessageID())
        .endsWith("@acme.com>");
    assertThat(value.path("accepted").toString())
        .isEqualTo("[\"ann@acme.com\",\"Bob@EU.Partner.org\"]");
    assertThat(r.credential()).isNull();
  }

  @Test
  void refusesTheWholeMessageWhenOneRecipientIsOutsideTheAllowedDomains() {
    for (String foreign :
        List.of(
            "evil@gmail.com",
            "ann@acme.com.evil.org",
            "ann@sub.acme.com",
            "ann@partner.org",
            "ann@evilacme.com")) {
      String detail =
          refusal(
              send(
                  plain(),
                  "{\"to\":[\"ann@acme.com\"],\"cc\":[\""
                      + foreign
                      + "\"],\"subject\":\"s\",\"body\":\"b\"}"));

      assertThat(detail)
          .isEqualTo(
              "connector mail refused the message: recipient '"
                  + foreign
                  + "' is outside the allowed domains; nothing was sent");
    }
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void refusesHeaderInjectionInTheSubjectOrAnAddress() {
    String bySubject =
        refusal(
            send(
                plain(),
                "{\"to\":[\"ann@acme.com\"],\"subject\":\"Hi\\r\\nBcc: evil@gmail.com\",\"body\":\"b\"}"));
    String byAddress =
        refusal(
            send(
                plain(),
                "{\"to\":[\"ann@acme.com\\r\\nBcc: evil@gmail.com\"],\"subject\":\"s\",\"body\":\"b\"}"));
    String byBareLf =
        refusal(
            send(
                plain(),
                "{\"to\":[\"ann@acme.com\"],\"subject\":\"Hi\\nBcc: evil@gmail.com\",\"body\":\"b\"}"));

    assertThat(bySubject)
        .contains(
            "the subject contains a line break or another control character (header injection)");
    assertThat(byBareLf).contains("(header injection)");
    assertThat(byAddress)
        .isEqualTo(
            "connector mail refused the message: address 'ann@acme.com??Bcc: evil@gmail.com'"
                + " in to contains a line break (header injection); nothing was sent");
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void refusesAnythingButBareAddresses() {
    for (String malformed :
        List.of(
            "Ann <ann@acme.com>",
            "ann@acme.com,evil@gmail.com",
            "ann",
            "\"evil@gmail.com\"@acme.com",
            "ann@[127.0.0.1]",
            "ann@acme.com (evil@gmail.com)",
            "evil@gmail.com;ann@acme.com",
            "")) {
      assertThat(
              refusal(
                  send(
                      plain(),
                      "{\"to\":["
                          + Invocations.JSON.writeValueAsString(malformed)
                          + "],\"subject\":\"s\",\"body\":\"b\"}")))
          .as(malformed)
          .contains("is not a bare address such as ann@acme.com");
    }
    assertThat(refusal(send(plain(), "{\"to\":[],\"subject\":\"s\",\"body\":\"b\"}")))
        .contains("to must be a list of addresses, at least one");
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void refusesLocalPartsThatARelayWouldRouteToAnotherDomain() {
    for (String routed :
        List.of("evil%gmail.com@acme.com", "gmail.com!evil@acme.com", "a%b!c@acme.com")) {
      assertThat(
              refusal(
                  send(
                      plain(),
                      "{\"to\":[\"ann@acme.com\"],\"cc\":[\""
                          + routed
                          + "\"],\"subject\":\"s\",\"body\":\"b\"}")))
          .isEqualTo(
              "connector mail refused the message: address '"
                  + routed
                  + "' in cc has '%' or '!' in its local part, which relays route to another domain; nothing was sent");
    }
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void refusesSourceRoutesAndQuotedLocalParts() {
    for (String routed :
        List.of(
            "@gmail.com,@relay.org:evil@acme.com",
            "@gmail.com:evil@acme.com",
            "\"evil@gmail.com\"@acme.com",
            "\"ann\"@acme.com",
            "\"a b\"@acme.com")) {
      assertThat(
              refusal(
                  send(
                      plain(),
                      "{\"to\":["
                          + Invocations.JSON.writeValueAsString(routed)
                          + "],\"subject\":\"s\",\"body\":\"b\"}")))
          .as(routed)
          .isEqualTo(
              "connector mail refused the message: address "
                  + MailRequest.quoted(routed)
                  + " in to is not a bare address such as ann@acme.com; nothing was sent");
    }
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void refusesMoreRecipientsThanAllowed() {
    StringBuilder to = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      to.append(i == 0 ? "" : ",").append("\"u").append(i).append("@acme.com\"");
    }

    assertThat(refusal(send(plain(), "{\"to\":[" + to + "],\"subject\":\"s\",\"body\":\"b\"}")))
        .isEqualTo(
            "connector mail refused the message: 11 recipients, more than the 10 allowed; nothing was sent");
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void logsInWithThePasswordAndReportsARefusedLoginWithoutIt() {
    SMTP.setUser("bot@acme.com", "bot", PASSWORD);
    int port = SMTP.getSmtp().getPort();
    String args = "{\"to\":[\"ann@acme.com\"],\"subject\":\"s\",\"body\":\"b\"}";

    ConnectorResult refused =
        send(connector(MailSecurity.NONE, port, Optional.of("bot"), "wrong-" + PASSWORD), args);
    assertThat(SMTP.getReceivedMessages()).isEmpty();
    ConnectorResult ok =
        send(connector(MailSecurity.NONE, port, Optional.of("bot"), PASSWORD), args);

    assertThat(refused)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.CREDENTIAL_UNAVAILABLE);
              assertThat(f.detail())
                  .isEqualTo("the credential for connector mail was refused by the SMTP server")
                  .doesNotContain(PASSWORD);
              assertThat(f.credential().ref()).isEqualTo("env:SMTP_PASSWORD");
            });
    assertThat(ok).isInstanceOf(ConnectorResult.Success.class);
    assertThat(ok.toString()).doesNotContain(PASSWORD);
    assertThat(SMTP.getReceivedMessages()).hasSize(1);
  }

  @Test
  void tlsRefusesAServerWhoseCertificateIsNotTrusted() {
    ConnectorResult r =
        send(
            connector(MailSecurity.TLS, SMTP.getSmtps().getPort(), Optional.empty(), ""),
            "{\"to\":[\"ann@acme.com\"],\"subject\":\"s\",\"body\":\"b\"}");

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> {
              assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_UNREACHABLE);
              assertThat(f.detail())
                  .startsWith("no trusted TLS connection to the SMTP server of mail");
            });
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void starttlsIsRequiredNotOpportunistic() {
    ConnectorResult r =
        send(
            connector(MailSecurity.STARTTLS, SMTP.getSmtp().getPort(), Optional.empty(), ""),
            "{\"to\":[\"ann@acme.com\"],\"subject\":\"s\",\"body\":\"b\"}");

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f ->
                assertThat(f.detail())
                    .isEqualTo(
                        "the SMTP server of mail failed: STARTTLS is required but host does not support STARTTLS"));
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void anUnreachableServerIsATypedFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ConnectorResult r =
        send(
            connector(MailSecurity.NONE, port, Optional.empty(), ""),
            "{\"to\":[\"ann@acme.com\"],\"subject\":\"s\",\"body\":\"b\"}");

    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_UNREACHABLE));
  }

  @Test
  void clearTextIsOnlyForLoopbackHosts() {
    Throwable t =
        catchThrowable(
            () ->
                new SmtpServer(
                    "smtp.acme.com",
                    25,
                    MailSecurity.NONE,
                    Optional.empty(),
                    Optional.empty(),
                    Duration.ofSeconds(5)));

    assertThat(t)
        .hasMessage("security 'none' is allowed only to a loopback host, not 'smtp.acme.com'");
    assertThat(MailSecurity.isLoopback("localhost")).isTrue();
    assertThat(MailSecurity.isLoopback("127.0.0.2")).isTrue();
    assertThat(MailSecurity.isLoopback("::1")).isTrue();
    assertThat(MailSecurity.isLoopback("127.0.0.1.evil.com")).isFalse();
    assertThat(MailSecurity.isLoopback("localhost.evil.com")).isFalse();
  }

  @Test
  void domainEntriesAreExactUnlessTheyAskForSubdomains() {
    RecipientDomains d = RecipientDomains.of(List.of("ACME.com", "*.partner.org"));

    assertThat(d.allows("acme.com")).isTrue();
    assertThat(d.allows("Acme.COM")).isTrue();
    assertThat(d.allows("eu.acme.com")).isFalse();
    assertThat(d.allows("eu.partner.org")).isTrue();
    assertThat(d.allows("a.eu.partner.org")).isTrue();
    assertThat(d.allows("partner.org")).isFalse();
    assertThat(d.allows("evilpartner.org")).isFalse();
    assertThat(d.entries()).containsExactly("*.partner.org", "acme.com");
    assertThat(catchThrowable(() -> RecipientDomains.of(List.of("@acme.com"))))
        .hasMessageContaining("'@acme.com' is not a domain");
  }
}
