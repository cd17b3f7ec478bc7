package dev.portcullis.service.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import dev.portcullis.approval.ApprovalNotice;
import dev.portcullis.approval.notify.ChannelSpec;
import dev.portcullis.approval.notify.NotificationChannel.DeliveryFailure;
import dev.portcullis.testing.MailServers;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The e-mail notification channel against a real SMTP server (GreenMail): the notice arrives with
 * its link over plain SMTP to loopback; TLS to a server whose certificate is not trusted, and
 * STARTTLS to a server that does not offer it, send nothing and are not retried; a refused login
 * never shows the password.
 */
class EmailChannelTest {
  private static final String PASSWORD = "smtp-n0tify-pa55word";
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);
  private static final ApprovalNotice NOTICE =
      new ApprovalNotice(
          "ap-1",
          "inv-1",
          "acme",
          "billing-assistant",
          null,
          "orders_refund",
          List.of("refunds-over-100-need-approval"),
          "A refund over 100 needs a person.",
          Instant.parse("2026-11-24T10:00:00Z"),
          Instant.parse("2026-11-24T11:00:00Z"),
          "sha256:abc",
          URI.create("https://portcullis.acme.com"));

  @RegisterExtension static final GreenMailExtension SMTP = MailServers.plainAndTls();

  @BeforeEach
  void empty() throws Exception {
    SMTP.purgeEmailFromAllMailboxes();
  }

  private static EmailChannel channel(
      ChannelSpec.Security security, int port, Optional<String> user) {
    ChannelSpec.Email spec =
        new ChannelSpec.Email(
            "ops-mail",
            "127.0.0.1",
            port,
            security,
            "Portcullis <portcullis@acme.com>",
            List.of("approvers@acme.com"),
            user,
            user.map(u -> "env:SMTP_PASSWORD"),
            List.of("acme"));
    SecretLookup secrets = (channel, ref) -> new Secret(SecretRef.parse(ref), PASSWORD);
    return new EmailChannel(spec, secrets, Duration.ofSeconds(5), CLOCK);
  }

  @Test
  void theNoticeArrivesWithItsLinkOverPlainSmtpToLoopback() throws Exception {
    channel(ChannelSpec.Security.NONE, SMTP.getSmtp().getPort(), Optional.empty()).send(NOTICE);

    MimeMessage[] received = SMTP.getReceivedMessages();
    assertThat(received).hasSize(1);
    assertThat(received[0].getSubject()).contains("orders_refund", "billing-assistant");
    assertThat(String.valueOf(received[0].getContent()))
        .contains(
            "https://portcullis.acme.com/inbox/approvals/ap-1", "portcullis approvals show ap-1");
  }

  /**
   * What sending the notice on {@code security} to {@code port} failed with; null if it did not.
   */
  private static DeliveryFailure failure(
      ChannelSpec.Security security, int port, Optional<String> user) {
    return catchThrowableOfType(
        DeliveryFailure.class, () -> channel(security, port, user).send(NOTICE));
  }

  @Test
  void tlsToAServerWhoseCertificateIsNotTrustedSendsNothingAndIsNotRetried() {
    DeliveryFailure f =
        failure(ChannelSpec.Security.TLS, SMTP.getSmtps().getPort(), Optional.empty());

    assertThat(f.getMessage()).startsWith("no trusted TLS connection to the SMTP server");
    assertThat(f.retryable()).isFalse();
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void starttlsIsRequiredNotOpportunisticAndItsAbsenceIsNotRetried() {
    DeliveryFailure f =
        failure(ChannelSpec.Security.STARTTLS, SMTP.getSmtp().getPort(), Optional.empty());

    assertThat(f.getMessage()).contains("STARTTLS");
    assertThat(f.retryable()).as("another attempt meets the same server").isFalse();
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void aRefusedLoginIsNotRetriedAndNeverShowsThePassword() {
    SMTP.setUser("portcullis@acme.com", "portcullis", "another-password");

    DeliveryFailure f =
        failure(ChannelSpec.Security.NONE, SMTP.getSmtp().getPort(), Optional.of("portcullis"));

    assertThat(f.getMessage())
        .isEqualTo("the login was refused by the SMTP server")
        .doesNotContain(PASSWORD);
    assertThat(f.retryable()).isFalse();
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }
}
