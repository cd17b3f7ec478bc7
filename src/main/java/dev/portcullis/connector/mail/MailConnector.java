package dev.portcullis.connector.mail;

import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.connector.Excerpt;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretUse;
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
import java.util.Date;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends text/plain mail over SMTP (Jakarta Mail, Eclipse Angus) from the one sender the
 * configuration fixes, to recipients in the allowed domains only.
 *
 * <p>Security: the whole message is checked ({@link MailRequest}) before the password is resolved
 * or a connection opened; a refused message sends nothing. The password goes to the SMTP login and
 * nowhere else: protocol tracing is off (authentication included), and any error text shown is
 * masked. Unencrypted connections are possible only to a loopback host ({@link SmtpServer}); TLS
 * checks the server's certificate and name.
 *
 * <p>Failure: a refused login is {@link FailureKind#CREDENTIAL_UNAVAILABLE}; a refused recipient or
 * message {@link FailureKind#UPSTREAM_REJECTED} (partial sends are off, so nothing went out); no
 * retries, as a message is a write.
 *
 * <p>Concurrency: immutable; each call opens its own session and connection.
 */
public final class MailConnector implements Connector {
  private static final Logger LOG = LoggerFactory.getLogger(MailConnector.class);
  private static final int MAX_ERROR_EXCERPT = 200;

  private final String name;
  private final SmtpServer server;
  private final InternetAddress from;
  private final RecipientDomains domains;
  private final int maxRecipients;
  private final Map<String, MailOperation> operations;
  private final SecretResolver secrets;
  private final JsonMapper json;
  private final Clock clock;
  private final Properties properties;

  public MailConnector(
      String name,
      SmtpServer server,
      String from,
      RecipientDomains domains,
      int maxRecipients,
      Map<String, MailOperation> operations,
      SecretResolver secrets,
      JsonMapper json,
      Clock clock) {
    this.name = name;
    this.server = server;
    this.from = MailAddresses.sender(from);
    this.domains = domains;
    this.maxRecipients = maxRecipients;
    this.operations = Map.copyOf(operations);
    this.secrets = secrets;
    this.json = json;
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
      case TLS -> {
        p.setProperty("mail.smtps.ssl.checkserveridentity", "true");
      }
      case NONE -> {}
    }
    return p;
  }

  private static String protocol(MailSecurity security) {
    return security == MailSecurity.TLS ? "smtps" : "smtp";
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ConnectorResult invoke(Invocation invocation) {
    MailOperation op = operations.get(invocation.toolName());
    if (op == null) {
      return new ConnectorResult.Failure(
          FailureKind.INTERNAL,
          "connector " + name + " has no operation for " + invocation.toolName());
    }
    MailRequest.Checked checked = MailRequest.check(invocation.arguments(), domains, maxRecipients);
    if (checked.request() == null) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_REJECTED,
          "connector "
              + name
              + " refused the message: "
              + checked.refusal()
              + "; nothing was sent");
    }
    Secret password = null;
    if (server.password().isPresent()) {
      try {
        password =
            secrets.resolve(server.password().get(), SecretUse.tool(name, invocation.toolName()));
      } catch (SecretResolver.SecretUnavailableException e) {
        LOG.warn("connector {}: {}", name, e.getMessage());
        return new ConnectorResult.Failure(
            FailureKind.CREDENTIAL_UNAVAILABLE,
            "the credential for connector " + name + " is unavailable");
      }
    }
    return send(checked.request(), password);
  }

  private ConnectorResult send(MailRequest request, Secret password) {
    CredentialUse used =
        password == null
            ? null
            : new CredentialUse(password.ref().toString(), password.version(), false);
    Session session = Session.getInstance(properties);
    try {
      MimeMessage message = new FixedIdMessage(session, from);
      message.setFrom(from);
      message.setRecipients(Message.RecipientType.TO, addresses(request.to()));
      if (!request.cc().isEmpty()) {
        message.setRecipients(Message.RecipientType.CC, addresses(request.cc()));
      }
      message.setSubject(request.subject(), "UTF-8");
      message.setText(request.body(), "UTF-8");
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
      ObjectNode result = json.createObjectNode();
      result.put("messageId", message.getMessageID());
      var accepted = result.putArray("accepted");
      request.recipients().forEach(accepted::add);
      return new ConnectorResult.Success(result, used);
    } catch (AuthenticationFailedException e) {
      return new ConnectorResult.Failure(
          FailureKind.CREDENTIAL_UNAVAILABLE,
          "the credential for connector " + name + " was refused by the SMTP server",
          used);
    } catch (SendFailedException e) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_REJECTED,
          "the SMTP server of "
              + name
              + " refused the message"
              + excerpt(e, password)
              + "; nothing was sent",
          used);
    } catch (MessagingException e) {
      return failure(e, password, used);
    }
  }

  private ConnectorResult failure(MessagingException e, Secret password, CredentialUse used) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return new ConnectorResult.Failure(
            FailureKind.UPSTREAM_TIMEOUT,
            "the SMTP server of "
                + name
                + " did not answer within "
                + server.timeout().toMillis()
                + " ms",
            used);
      }
      if (t instanceof SSLException) {
        return new ConnectorResult.Failure(
            FailureKind.UPSTREAM_UNREACHABLE,
            "no trusted TLS connection to the SMTP server of "
                + name
                + " ("
                + t.getClass().getSimpleName()
                + ")",
            used);
      }
      if (t instanceof IOException) {
        return new ConnectorResult.Failure(
            FailureKind.UPSTREAM_UNREACHABLE,
            "the SMTP server of " + name + " is unreachable (" + t.getClass().getSimpleName() + ")",
            used);
      }
    }
    return new ConnectorResult.Failure(
        FailureKind.UPSTREAM_ERROR,
        "the SMTP server of " + name + " failed" + excerpt(e, password),
        used);
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

  private static InternetAddress[] addresses(java.util.List<String> list)
      throws MessagingException {
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
