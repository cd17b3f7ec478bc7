package dev.portcullis.service.notify;

import dev.portcullis.approval.ApprovalNotice;
import dev.portcullis.approval.notify.ChannelSpec;
import dev.portcullis.approval.notify.NotificationChannel;
import dev.portcullis.connector.TransportFailure;
import dev.portcullis.connector.mail.MailSecurity;
import dev.portcullis.connector.mail.SmtpServer;
import dev.portcullis.connector.mail.SmtpTransport;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Mails a notice (text/plain, subject "Approval needed: TOOL for AGENT") to the configured
 * approvers through the shared {@link SmtpTransport}, logging in with a password resolved at
 * sending time.
 *
 * <p>Security: the transport gives the password to the SMTP login only and masks any server text it
 * shows; clear text is possible only to a loopback host, TLS checks the server's certificate and
 * name, STARTTLS is required.
 *
 * <p>Failure: the transport's: a refused login or message, an untrusted certificate, or a server
 * without the STARTTLS this channel requires is not retryable (nothing was sent); an unreachable or
 * slow server, or another server error, is.
 *
 * <p>Concurrency: immutable; each send opens its own session and connection.
 */
public final class EmailChannel implements NotificationChannel {
  private final ChannelSpec.Email spec;
  private final SecretLookup secrets;
  private final SmtpTransport smtp;

  /**
   * @throws IllegalArgumentException when the sender is not one address, or the server settings
   *     conflict (the configuration refuses both first)
   */
  public EmailChannel(ChannelSpec.Email spec, SecretLookup secrets, Duration timeout, Clock clock) {
    this.spec = spec;
    this.secrets = secrets;
    SmtpServer server =
        new SmtpServer(
            spec.host(),
            spec.port(),
            MailSecurity.valueOf(spec.security().name()),
            spec.username(),
            spec.password().map(SecretRef::parse),
            timeout);
    this.smtp = new SmtpTransport(server, spec.from(), "the SMTP server", "the login", clock);
  }

  @Override
  public void send(ApprovalNotice notice) throws DeliveryFailure {
    Secret password =
        spec.password().isPresent()
            ? secrets.resolveForSending(spec.name(), spec.password().get(), "the SMTP password")
            : null;
    SmtpTransport.Mail mail =
        new SmtpTransport.Mail(
            spec.to(), List.of(), NoticeText.oneLine(notice.subject()), NoticeText.plain(notice));
    try {
      var _ = smtp.send(mail, password);
    } catch (TransportFailure f) {
      throw new DeliveryFailure(f.getMessage(), f.retryable());
    }
  }

  @Override
  public ChannelSpec.Email spec() {
    return spec;
  }
}
