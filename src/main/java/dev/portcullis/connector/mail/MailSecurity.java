package dev.portcullis.connector.mail;

import java.util.Locale;

/** How the connection to the SMTP server is protected. */
public enum MailSecurity {
  /** Plain connection upgraded with STARTTLS, which is required (port 587 by default). */
  STARTTLS(587),
  /** TLS from the first byte, "implicit TLS" (port 465 by default). */
  TLS(465),
  /** No encryption: allowed only to a loopback host (port 25 by default). */
  NONE(25);

  private final int defaultPort;

  MailSecurity(int defaultPort) {
    this.defaultPort = defaultPort;
  }

  public int defaultPort() {
    return defaultPort;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Whether {@code host} names this machine's loopback interface, by its text alone (no DNS):
   * {@code localhost}, {@code 127.x.x.x} or {@code ::1}.
   */
  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost")
        || h.equals("::1")
        || h.equals("[::1]")
        || h.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
  }
}
