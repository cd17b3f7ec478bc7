package dev.portcullis.connector.mail;

import dev.portcullis.vault.SecretRef;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how a mail connector sends: the SMTP server, its protection, the login (the password as
 * a reference, resolved per call), and the timeout for connecting and for each read and write.
 */
public record SmtpServer(
    String host,
    int port,
    MailSecurity security,
    Optional<String> username,
    Optional<SecretRef> password,
    Duration timeout) {

  public SmtpServer {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(timeout, "timeout");
    if (security == MailSecurity.NONE && !MailSecurity.isLoopback(host)) {
      throw new IllegalArgumentException(
          "security 'none' is allowed only to a loopback host, not '" + host + "'");
    }
    if (username.isPresent() != password.isPresent()) {
      throw new IllegalArgumentException("username and password go together");
    }
  }
}
