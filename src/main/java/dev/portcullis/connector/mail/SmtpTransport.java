package dev.portcullis.connector.mail;

import dev.portcullis.connector.Excerpt;
import dev.portcullis.connector.TransportFailure;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.vault.Secret;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import javax.net.ssl.SSLException;

/**
 * Sends one text/plain message over SMTP (Jakarta Mail, Eclipse Angus) from one fixed sender, with
 * the login's password handed in per call. The one place that speaks SMTP: the mail connector and
 * the approval notices both send through it. Which recipients are allowed (domains, how many) is
 * the caller's policy; that what is handed to the server is exactly what was checked is this
 * class's job.
 *
 * <p>Security: every recipient must be a bare address that names its final domain ({@link
 * MailAddresses#refusal}: no line break, no {@code %} or {@code !} routing, no display name or
 * source route), and the subject holds no control character, so nothing can inject a header or a
 * recipient; a message that is not is refused before a connection is opened. The password goes to
 * the SMTP login and nowhere else: protocol tracing is off (authentication included), and any
 * server text shown is masked with it ({@link Secret#maskIn}) and cut short. Clear text is possible
 * only to a loopback host ({@link SmtpServer}); TLS checks the server's certificate and name;
 * STARTTLS is required, not opportunistic. Partial sends are off: one refused recipient sends
 * nothing.
 *
 * <p>Failure ({@link TransportFailure}, its message named by {@code peer}, such as "the SMTP server
 * of mail"): a refused login is {@link FailureKind#CREDENTIAL_UNAVAILABLE}; a refused message
 * {@link FailureKind#UPSTREAM_REJECTED}; an untrusted certificate or an unreachable server {@link
 * FailureKind#UPSTREAM_UNREACHABLE}; a slow one {@link FailureKind#UPSTREAM_TIMEOUT}; anything else
 * {@link FailureKind#UPSTREAM_ERROR}. Retryable: timeouts, unreachable servers and other server
 * errors; not a refused login or message, an untrusted certificate, or a server without STARTTLS
 * (nothing was sent, and the next attempt meets the same server).
 *
 * <p>Concurrency: immutable; each send opens its own session and connection.
 */
public final class SmtpTransport {
  private static final int MAX_ERROR_EXCERPT = 200;

  private final SmtpServer server;
  private final InternetAddress from;
  private final String peer;
  private final String credential;
  private final Clock clock;
  private final Properties properties;

  /**
   * One message: recipients in {@code to} (at least one) and {@code cc}, a one-line subject, a
   * text/plain body.
   */
  public record Mail(List<String> to, List<String> cc, String subject, String body) {
    public Mail {
      to = List.copyOf(to);
      cc = List.copyOf(cc);
    }

    /** Every recipient, to then cc. */
    public List<String> recipients() {
      List<String> all = new ArrayList<>(to);
      all.addAll(cc);
      return all;
    }

    /** Why {@code subject} cannot be a header, or empty. */
    public static Optional<String> subjectRefusal(String subject) {
      return subject.chars().anyMatch(Character::isISOControl)
          ? Optional.of(
              "the subject contains a line break or another control character (header injection)")
          : Optional.empty();
    }

    /** Why this message cannot be sent as it is, or empty. */
    Optional<String> refusal() {
      if (to.isEmpty()) {
        return Optional.of("there is no recipient");
      }
      for (String a : recipients()) {
        Optional<String> why = MailAddresses.refusal(a);
        if (why.isPresent()) {
          return Optional.of("address " + MailAddresses.quoted(a) + " " + why.get());
        }
      }
      return subjectRefusal(subject);
    }
  }

  /**
   * @param from the sender, a bare address or one with a display name ({@link
   *     MailAddresses#sender})
   * @param peer how failures name the server: {@code "the SMTP server of mail"}
   * @param credential how failures name the login: {@code "the credential for connector mail"}
   * @throws IllegalArgumentException when {@code from} is not one address
   */
  public SmtpTransport(
      SmtpServer server, String from, String peer, String credential, Clock clock) {
    this.server = server;
    this.from = MailAddresses.sender(from);
    this.peer = peer;
    this.credential = credential;
    this.clock = clock;
    this.properties = properties(server);
  }

  private static Properties properties(SmtpServer s) {
    String proto = protocol(s.security());
    String timeout = Long.toString(s.timeout().toMillis());
    Properties p = new Properties();
    p.setProperty("mail." + proto + ".host", s.host());
    p.setProperty("mail." + proto + ".port", Integer.toString(s.port()));
    p.setProperty("mail." + proto + ".connectiontimeout", timeout);
    p.setProperty("mail." + proto + ".timeout", timeout);
    p.setProperty("mail." + proto + ".writetimeout", timeout);
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

  private static String protocol(MailSecurity security) {
    return security == MailSecurity.TLS ? "smtps" : "smtp";
  }

  /**
   * Sends {@code mail} once, on the calling thread, logging in with {@code password} (null when the
   * server takes no login).
   *
   * @return the message's Message-ID
   */
  public String send(Mail mail, Secret password) throws TransportFailure {
    Optional<String> refusal = mail.refusal();
    if (refusal.isPresent()) {
      throw TransportFailure.unanswered(
          FailureKind.UPSTREAM_REJECTED,
          "the message to " + peer + " was refused: " + refusal.get() + "; nothing was sent",
          false);
    }
    Session session = Session.getInstance(properties);
    session.setDebug(false);
    try {
      MimeMessage message = new FixedIdMessage(session, from);
      message.setFrom(from);
      message.setRecipients(Message.RecipientType.TO, addresses(mail.to()));
      if (!mail.cc().isEmpty()) {
        message.setRecipients(Message.RecipientType.CC, addresses(mail.cc()));
      }
      message.setSubject(mail.subject(), "UTF-8");
      message.setText(mail.body(), "UTF-8");
      message.setSentDate(Date.from(clock.instant()));
      message.saveChanges();
      try (Transport transport = session.getTransport(protocol(server.security()))) {
        transport.connect(
            server.host(),
            server.port(),
            server.username().orElse(null),
            password == null ? null : password.reveal());
        transport.sendMessage(message, message.getAllRecipients());
      }
      return message.getMessageID();
    } catch (AuthenticationFailedException e) {
      throw answered(
          FailureKind.CREDENTIAL_UNAVAILABLE,
          credential + " was refused by the SMTP server",
          false);
    } catch (SendFailedException e) {
      throw answered(
          FailureKind.UPSTREAM_REJECTED,
          peer + " refused the message" + excerpt(e, password) + "; nothing was sent",
          false);
    } catch (MessagingException e) {
      throw failure(e, password);
    }
  }

  private TransportFailure failure(MessagingException e, Secret password) {
    if (e.getMessage() != null && e.getMessage().contains("STARTTLS is required")) {
      // The server offers no STARTTLS: the next attempt meets the same server; nothing was sent.
      return answered(FailureKind.UPSTREAM_ERROR, peer + " failed" + excerpt(e, password), false);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return TransportFailure.unanswered(
            FailureKind.UPSTREAM_TIMEOUT,
            peer + " did not answer within " + server.timeout().toMillis() + " ms",
            true);
      }
      if (t instanceof SSLException) {
        return TransportFailure.unanswered(
            FailureKind.UPSTREAM_UNREACHABLE,
            "no trusted TLS connection to " + peer + " (" + t.getClass().getSimpleName() + ")",
            false);
      }
      if (t instanceof IOException) {
        return TransportFailure.unanswered(
            FailureKind.UPSTREAM_UNREACHABLE,
            peer + " is unreachable (" + t.getClass().getSimpleName() + ")",
            true);
      }
    }
    return answered(FailureKind.UPSTREAM_ERROR, peer + " failed" + excerpt(e, password), true);
  }

  private static TransportFailure answered(FailureKind kind, String message, boolean retryable) {
    return TransportFailure.answered(kind, message, retryable, 0, false);
  }

  /** The server's words, one line, masked and cut short: {@code ": 550 5.1.1 …"}, or nothing. */
  private static String excerpt(MessagingException e, Secret password) {
    String text = e.getMessage();
    if (text == null || text.isBlank()) {
      return "";
    }
    if (password != null) {
      text = password.maskIn(text);
    }
    text = text.replaceAll("\\s+", " ").strip();
    return ": " + Excerpt.of(text, MAX_ERROR_EXCERPT);
  }

  private static InternetAddress[] addresses(List<String> list) throws MessagingException {
    InternetAddress[] out = new InternetAddress[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = new InternetAddress(list.get(i), true);
    }
    return out;
  }

  /**
   * A message whose Message-ID is random at the sender's domain, instead of Jakarta Mail's default,
   * which looks up this machine's host name.
   */
  private static final class FixedIdMessage extends MimeMessage {
    private final String domain;

    FixedIdMessage(Session session, InternetAddress from) {
      super(session);
      String address = from.getAddress();
      this.domain = address.substring(address.indexOf('@') + 1);
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", "<" + UUID.randomUUID() + "@" + domain + ">");
    }
  }
}
