package dev.portcullis.connector.mail;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorContract;
import dev.portcullis.testing.Invocations;
import dev.portcullis.vault.SecretResolver;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The connector contract for {@link MailConnector} against a real SMTP server (GreenMail) that logs
 * the connector in with the contract's credential as its password: a call for an id mails {@code
 * id@acme.com}. The answer is checked by the recipients of the message GreenMail received under the
 * answer's Message-ID.
 *
 * <p>Capabilities: the password is resolved per call for the calling tool; GreenMail counts the
 * messages that reached delivery (the fixture wraps its delivery handler), and fails delivery on
 * demand, which GreenMail answers with its own {@code 451}. An SMTP server does not echo the
 * password it was given, so echo is not declared.
 */
class MailConnectorContractTest extends ConnectorContract {
  private static final String USER = "bot";

  /** One server for the class; mailboxes, the login and the delivery hook are reset per test. */
  @RegisterExtension
  static final GreenMailExtension SMTP =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort()).withPerMethodLifecycle(false);

  private static MessageDeliveryHandler delivery;
  private final AtomicLong delivered = new AtomicLong();
  private volatile boolean failing;
  private boolean unreachable;

  @BeforeEach
  void prepareServer() throws Exception {
    SMTP.purgeEmailFromAllMailboxes();
    UserManager users = SMTP.getUserManager();
    if (delivery == null) {
      delivery = users.getMessageDeliveryHandler();
    }
    users.setMessageDeliveryHandler(
        (message, to) -> {
          delivered.incrementAndGet();
          if (failing) {
            throw new MessagingException("the mail store is offline");
          }
          return delivery.handle(message, to);
        });
    if (users.getUser(USER) == null) {
      SMTP.setUser("bot@acme.com", USER, SECRET);
    }
  }

  @AfterEach
  void restoreDelivery() {
    SMTP.getUserManager().setMessageDeliveryHandler(delivery);
  }

  @Override
  protected Connector newConnector(SecretResolver secrets) throws IOException {
    int port = SMTP.getSmtp().getPort();
    if (unreachable) {
      try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = closed.getLocalPort();
      }
    }
    SmtpServer server =
        new SmtpServer(
            "127.0.0.1",
            port,
            MailSecurity.NONE,
            Optional.of(USER),
            Optional.of(SECRET_REF),
            Duration.ofSeconds(5));
    return new MailConnector(
        CONNECTOR,
        server,
        "Portcullis <bot@acme.com>",
        RecipientDomains.of(List.of("acme.com")),
        1,
        Map.of(
            TOOL,
            new MailOperation(TOOL, MailOperation.Action.SEND),
            OTHER_TOOL,
            new MailOperation(OTHER_TOOL, MailOperation.Action.SEND)),
        secrets,
        Invocations.JSON,
        Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC));
  }

  @Override
  protected String arguments(String id) {
    return "{\"to\":[\"" + id + "@acme.com\"],\"subject\":\"lookup\",\"body\":\"looked up\"}";
  }

  /** The recipients of the message GreenMail received with the answer's Message-ID. */
  @Override
  protected String answered(JsonNode value) throws MessagingException {
    String id = value.path("messageId").asString();
    for (MimeMessage m : SMTP.getReceivedMessages()) {
      if (id.equals(m.getMessageID())) {
        return Arrays.toString(m.getRecipients(Message.RecipientType.TO));
      }
    }
    throw new AssertionError("GreenMail received no message " + id + ": " + value);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.of(Capability.COUNTS_REQUESTS, Capability.CREDENTIAL_PER_TOOL);
  }

  @Override
  protected void makeUpstreamFail() {
    failing = true;
  }

  @Override
  protected void makeUpstreamUnreachable() {
    unreachable = true;
  }

  @Override
  protected long requestsReceived() {
    return delivered.get();
  }
}
