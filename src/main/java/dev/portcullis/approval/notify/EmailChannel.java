package dev.portcullis.approval.notify;

import dev.portcullis.approval.ApprovalNotice;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.net.ssl.SSLException;

/**
 * Mails a notice (text/plain, subject "Approval needed: TOOL for AGENT") to the configured
 * approvers through SMTP (Jakarta Mail, Eclipse Angus).
 *
 * <p>Security: the password, resolved at sending time, goes to the SMTP login and nowhere else:
 * protocol tracing is off and any server text shown is masked and cut short. Clear text is possible
 * only to a loopback host (the configuration refuses anything else); TLS checks the server's
 * certificate and name.
 *
 * <p>Failure: a refused login or message, an untrusted certificate, or a server without the
 * STARTTLS this channel requires is not retryable (nothing was sent); an unreachable or slow
 * server, or another server error, is.
 *
 * <p>Concurrency: immutable; each send opens its own session and connection.
 */
public final class EmailChannel implements NotificationChannel {
  private static final int MAX_EXCERPT = 200;

  private final ChannelSpec.Email spec;
  private final SecretLookup secrets;
  private final Duration timeout;
  private final Clock clock;
  private final Properties properties;
  private final InternetAddress from;
  private final InternetAddress[] to;

  public EmailChannel(ChannelSpec.Email spec, SecretLookup secrets, Duration timeout, Clock clock) {
    this.spec = spec;
    this.secrets = secrets;
    this.timeout = timeout;
    this.clock = clock;
    this.properties = properties(spec, timeout);
    try {
      this.from = new InternetAddress(spec.from(), true);
      this.to = addresses(spec.to());
    } catch (AddressException e) {
      throw new IllegalArgumentException("channel " + spec.name() + ": " + e.getMessage(), e);
    }
  }

  private static InternetAddress[] addresses(List<String> list) throws AddressException {
    InternetAddress[] out = new InternetAddress[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = new InternetAddress(list.get(i), true);
    }
    return out;
  }

  private static Properties properties(ChannelSpec.Email s, Duration timeout) {
    String proto = protocol(s.security());
    String millis = Long.toString(timeout.toMillis());
    Properties p = new Properties();
    p.setProperty("mail." + proto + ".host", s.host());
    p.setProperty("mail." + proto + ".port", Integer.toString(s.port()));
    p.setProperty("mail." + proto + ".connectiontimeout", millis);
    p.setProperty("mail." + proto + ".timeout", millis);
    p.setProperty("mail." + proto + ".writetimeout", millis);
    p.setProperty("mail." + proto + ".auth", Boolean.toString(s.username().isPresent()));
    p.setProperty("mail." + proto + ".sendpartial", "false");
    p.setProperty("mail.debug", "false");
    p.setProperty("mail.debug.auth", "false");
    switch (s.security()) {
      case STARTTLS -> {
        p.setProperty("mail.smtp.starttls.enable", "true");
        p.setProperty("mail.smtp.starttls.required", "true");
        p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
      }
      case TLS -> p.setProperty("mail.smtps.ssl.checkserveridentity", "true");
      case NONE -> {}
    }
    return p;
  }

  private static String protocol(ChannelSpec.Security security) {
    return security == ChannelSpec.Security.TLS ? "smtps" : "smtp";
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public String type() {
    return "email";
  }

  @Override
  public void send(ApprovalNotice notice) throws DeliveryFailure {
    String password =
        spec.password().isPresent()
            ? secrets.revealForSending(spec.name(), spec.password().get(), "the SMTP password")
            : null;
    Session session = Session.getInstance(properties);
    session.setDebug(false);
    try {
      MimeMessage message =
          new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
              String address = from.getAddress();
              setHeader(
                  "Message-ID",
                  "<"
                      + UUID.randomUUID()
                      + "@"
                      + address.substring(address.indexOf('@') + 1)
                      + ">");
            }
          };
      message.setFrom(from);
      message.setRecipients(Message.RecipientType.TO, to);
      message.setSubject(NoticeText.oneLine(notice.subject()), "UTF-8");
      message.setText(NoticeText.plain(notice), "UTF-8");
      message.setSentDate(Date.from(clock.instant()));
      message.saveChanges();
      try (Transport transport = session.getTransport(protocol(spec.security()))) {
        transport.connect(spec.host(), spec.port(), spec.username().orElse(null), password);
        transport.sendMessage(message, message.getAllRecipients());
      }
    } catch (AuthenticationFailedException e) {
      throw new DeliveryFailure("the SMTP server refused the login", false);
    } catch (SendFailedException e) {
      throw new DeliveryFailure(
          "the SMTP server refused the message" + excerpt(e, password), false);
    } catch (MessagingException e) {
      throw failure(e, password);
    }
  }

  private DeliveryFailure failure(MessagingException e, String password) {
    if (e.getMessage() != null && e.getMessage().contains("STARTTLS is required")) {
      // The server does not offer STARTTLS: the next attempt meets the same server; nothing was
      // sent.
      return new DeliveryFailure(
          "the SMTP server does not offer STARTTLS, which this channel requires;"
              + " nothing was sent (use security: tls if the server speaks TLS from the start)",
          false);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return new DeliveryFailure(
            "the SMTP server did not answer within " + timeout.toMillis() + " ms", true);
      }
      if (t instanceof SSLException) {
        return new DeliveryFailure(
            "no trusted TLS connection to the SMTP server (" + t.getClass().getSimpleName() + ")",
            false);
      }
      if (t instanceof IOException) {
        return new DeliveryFailure(
            "the SMTP server is unreachable (" + t.getClass().getSimpleName() + ")", true);
      }
    }
    return new DeliveryFailure("the SMTP server failed" + excerpt(e, password), true);
  }

  /** The server's words, one line, masked and cut short: {@code ": 550 5.1.1 …"}, or nothing. */
  private static String excerpt(MessagingException e, String password) {
    String text = e.getMessage();
    if (text == null || text.isBlank()) {
      return "";
    }
    if (password != null && !password.isEmpty()) {
      text = text.replace(password, "[REDACTED]");
    }
    text = text.replaceAll("\\s+", " ").strip();
    return ": " + (text.length() > MAX_EXCERPT ? text.substring(0, MAX_EXCERPT) + "…" : text);
  }
}
