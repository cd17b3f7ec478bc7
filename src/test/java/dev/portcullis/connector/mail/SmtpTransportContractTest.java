package dev.portcullis.connector.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import dev.portcullis.connector.TransportFailure;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.testing.LogCapture;
import dev.portcullis.testing.MailServers;
import dev.portcullis.testing.SecretForms;
import dev.portcullis.testing.SilentServer;
import dev.portcullis.vault.Secret;
import dev.portcullis.vault.SecretRef;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * The contract of {@link SmtpTransport}, which both the mail connector and the approval notices
 * send through, against a real SMTP server (GreenMail, plain and implicit TLS), a silent peer and a
 * peer that quotes the password back: what is delivered, how each way of failing is typed (kind,
 * retryable), that a message that could inject a header or route elsewhere is refused before a
 * connection is opened, and that the password appears in no failure's message nor the log.
 */
class SmtpTransportContractTest {
  private static final String PASSWORD = "smtp-contract-pa55word-not-for-anyone";
  private static final Secret SECRET = new Secret(SecretRef.parse("env:SMTP_PASSWORD"), PASSWORD);
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC);
  private static final SmtpTransport.Mail MAIL =
      new SmtpTransport.Mail(
          List.of("ann@acme.com"), List.of("bob@acme.com"), "Hello", "One line.\nAnother.");

  @RegisterExtension static final GreenMailExtension SMTP = MailServers.plainAndTls();

  @BeforeEach
  void empty() throws Exception {
    SMTP.purgeEmailFromAllMailboxes();
  }

  private static SmtpTransport transport(
      MailSecurity security, int port, boolean login, Duration timeout) {
    SmtpServer server =
        new SmtpServer(
            "127.0.0.1",
            port,
            security,
            login ? Optional.of("bot") : Optional.empty(),
            login ? Optional.of(SecretRef.parse("env:SMTP_PASSWORD")) : Optional.empty(),
            timeout);
    return new SmtpTransport(
        server, "Portcullis <bot@acme.com>", "the SMTP server of t", "the credential of t", CLOCK);
  }

  private static SmtpTransport plain(boolean login) {
    return transport(MailSecurity.NONE, SMTP.getSmtp().getPort(), login, Duration.ofSeconds(5));
  }

  private static TransportFailure failure(SmtpTransport t, SmtpTransport.Mail mail) {
    return catchThrowableOfType(TransportFailure.class, () -> t.send(mail, SECRET));
  }

  private static String describe(TransportFailure f) {
    return f.kind() + " " + f.retryable() + " " + f.getMessage();
  }

  @Test
  void deliversTheMessageLoggedInWithThePasswordAndAnswersItsMessageId() throws Exception {
    SMTP.setUser("bot@acme.com", "bot", PASSWORD);

    String id = plain(true).send(MAIL, SECRET);

    MimeMessage[] received = SMTP.getReceivedMessages();
    assertThat(received).as("one copy per recipient").hasSize(2);
    MimeMessage m = received[0];
    assertThat(m.getMessageID()).isEqualTo(id).endsWith("@acme.com>");
    assertThat(m.getFrom()[0].toString()).isEqualTo("Portcullis <bot@acme.com>");
    assertThat(m.getRecipients(Message.RecipientType.TO)[0].toString()).isEqualTo("ann@acme.com");
    assertThat(m.getRecipients(Message.RecipientType.CC)[0].toString()).isEqualTo("bob@acme.com");
    assertThat(m.getSubject()).isEqualTo("Hello");
    assertThat(String.valueOf(m.getContent()).strip()).isEqualTo("One line.\r\nAnother.");
    assertThat(m.getSentDate().toInstant()).isEqualTo(CLOCK.instant());
  }

  @Test
  void aServerThatDoesNotGreetInTimeIsARetryableTimeout() throws Exception {
    try (SilentServer silent = SilentServer.start()) {
      TransportFailure f =
          failure(transport(MailSecurity.NONE, silent.port(), false, Duration.ofMillis(300)), MAIL);

      assertThat(describe(f))
          .isEqualTo("UPSTREAM_TIMEOUT true the SMTP server of t did not answer within 300 ms");
    }
  }

  @Test
  void aServerNobodyListensForIsRetryableAndUnreachable() throws Exception {
    int port = SilentServer.unusedPort();

    TransportFailure f =
        failure(transport(MailSecurity.NONE, port, false, Duration.ofSeconds(5)), MAIL);

    assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_UNREACHABLE);
    assertThat(f.getMessage()).startsWith("the SMTP server of t is unreachable (");
    assertThat(f.retryable()).isTrue();
  }

  @Test
  void aRefusedLoginIsACredentialFailureThatIsNotRetriedAndNeverShowsThePassword() {
    SMTP.setUser("bot@acme.com", "bot", "another-password");

    TransportFailure f = failure(plain(true), MAIL);

    assertThat(describe(f))
        .isEqualTo(
            "CREDENTIAL_UNAVAILABLE false the credential of t was refused by the SMTP server");
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void tlsToAnUntrustedCertificateAndStarttlsToAServerWithoutItSendNothingAndAreNotRetried() {
    TransportFailure tls =
        failure(
            transport(MailSecurity.TLS, SMTP.getSmtps().getPort(), false, Duration.ofSeconds(5)),
            MAIL);
    TransportFailure starttls =
        failure(
            transport(
                MailSecurity.STARTTLS, SMTP.getSmtp().getPort(), false, Duration.ofSeconds(5)),
            MAIL);

    assertThat(tls.kind()).isEqualTo(FailureKind.UPSTREAM_UNREACHABLE);
    assertThat(tls.getMessage()).startsWith("no trusted TLS connection to the SMTP server of t (");
    assertThat(tls.retryable()).isFalse();
    assertThat(starttls.kind()).isEqualTo(FailureKind.UPSTREAM_ERROR);
    assertThat(starttls.getMessage())
        .isEqualTo(
            "the SMTP server of t failed: STARTTLS is required but host does not support STARTTLS");
    assertThat(starttls.retryable()).isFalse();
    assertThat(SMTP.getReceivedMessages()).isEmpty();
  }

  @Test
  void aMessageThatCouldInjectAHeaderOrRouteElsewhereIsRefusedBeforeAnyConnection() {
    try (SilentServer silent = SilentServer.start()) {
      SmtpTransport t = transport(MailSecurity.NONE, silent.port(), false, Duration.ofMillis(300));

      List<TransportFailure> refused =
          List.of(
              failure(
                  t,
                  new SmtpTransport.Mail(List.of("evil%gmail.com@acme.com"), List.of(), "s", "b")),
              failure(
                  t,
                  new SmtpTransport.Mail(List.of("gmail.com!evil@acme.com"), List.of(), "s", "b")),
              failure(
                  t,
                  new SmtpTransport.Mail(
                      List.of("ann@acme.com"),
                      List.of("ann@acme.com\r\nBcc: evil@gmail.com"),
                      "s",
                      "b")),
              failure(
                  t, new SmtpTransport.Mail(List.of("Ann <ann@acme.com>"), List.of(), "s", "b")),
              failure(
                  t,
                  new SmtpTransport.Mail(
                      List.of("ann@acme.com"), List.of(), "hi\r\nBcc: evil@gmail.com", "b")));

      assertThat(refused)
          .extracting(TransportFailure::getMessage)
          .containsExactly(
              "the message to the SMTP server of t was refused: address 'evil%gmail.com@acme.com'"
                  + " has '%' or '!' in its local part, which relays route to another domain;"
                  + " nothing was sent",
              "the message to the SMTP server of t was refused: address 'gmail.com!evil@acme.com'"
                  + " has '%' or '!' in its local part, which relays route to another domain;"
                  + " nothing was sent",
              "the message to the SMTP server of t was refused: address"
                  + " 'ann@acme.com??Bcc: evil@gmail.com' contains a line break (header injection);"
                  + " nothing was sent",
              "the message to the SMTP server of t was refused: address 'Ann <ann@acme.com>'"
                  + " is not a bare address such as ann@acme.com; nothing was sent",
              "the message to the SMTP server of t was refused: the subject contains a line break"
                  + " or another control character (header injection); nothing was sent");
      assertThat(refused)
          .allSatisfy(
              f -> {
                assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_REJECTED);
                assertThat(f.retryable()).isFalse();
                assertThat(f.answered()).isFalse();
              });
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void thePasswordIsInNoFailureNorLogLineEvenWhenTheServerQuotesIt() throws Exception {
    try (LogCapture logs = LogCapture.start();
        QuotingPeer peer = QuotingPeer.start("550 5.7.1 sender refused; you logged in with ")) {
      TransportFailure f =
          failure(transport(MailSecurity.NONE, peer.port(), false, Duration.ofSeconds(5)), MAIL);

      assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_REJECTED);
      assertThat(f.getMessage())
          .startsWith("the SMTP server of t refused the message: ")
          .contains("550 5.7.1 sender refused")
          .endsWith("; nothing was sent");
      assertThat(f.retryable()).isFalse();
      SecretForms.assertNoCopyIn(f.getMessage(), PASSWORD);
      SecretForms.assertNoCopyIn(logs.text(), PASSWORD);
    }
  }

  /**
   * A real SMTP peer, as far as the sender's MAIL FROM: it greets, answers EHLO, and refuses the
   * sender with {@code reply} followed by the password, as a careless server quoting its input
   * might.
   */
  private static final class QuotingPeer implements AutoCloseable {
    private final ServerSocket socket;

    private QuotingPeer(ServerSocket socket, String reply) {
      this.socket = socket;
      Thread.ofVirtual().start(() -> serve(reply));
    }

    static QuotingPeer start(String reply) throws IOException {
      return new QuotingPeer(new ServerSocket(0, 5, InetAddress.getLoopbackAddress()), reply);
    }

    int port() {
      return socket.getLocalPort();
    }

    private void serve(String reply) {
      try (Socket s = socket.accept()) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = s.getOutputStream();
        write(out, "220 peer ESMTP");
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          String verb =
              line.length() < 4 ? line : line.substring(0, 4).toUpperCase(java.util.Locale.ROOT);
          switch (verb) {
            case "EHLO", "HELO" -> write(out, "250 peer");
            case "MAIL" -> write(out, reply + PASSWORD);
            case "QUIT" -> {
              write(out, "221 bye");
              return;
            }
            default -> write(out, "250 ok");
          }
        }
      } catch (IOException closed) {
        // the test is over
      }
    }

    private static void write(OutputStream out, String line) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
