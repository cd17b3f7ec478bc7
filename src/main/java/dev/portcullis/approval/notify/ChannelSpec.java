package dev.portcullis.approval.notify;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One configured notification channel ({@code approvals.notify}), validated by the configuration
 * loader. Secrets are references ({@code vault:…}, {@code env:…}, {@code file:…}), resolved at
 * sending time, never values.
 */
public sealed interface ChannelSpec {
  String name();

  /** {@code webhook}, {@code slack} or {@code email}. */
  String type();

  /** The tenants whose parked calls this channel announces; no other tenant's. */
  List<String> tenants();

  /**
   * POST the notice as JSON to {@code url}, signed with HMAC-SHA256 under the secret {@code
   * secret}.
   */
  record Webhook(String name, URI url, String secret, List<String> tenants) implements ChannelSpec {
    public Webhook {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(secret, "secret");
      tenants = List.copyOf(tenants);
    }

    @Override
    public String type() {
      return "webhook";
    }
  }

  /** {@code chat.postMessage} to {@code channel} with the bot token {@code token}. */
  record Slack(String name, URI baseUrl, String token, String channel, List<String> tenants)
      implements ChannelSpec {
    public static final URI DEFAULT_BASE_URL = URI.create("https://slack.com/api");

    public Slack {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(baseUrl, "baseUrl");
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(channel, "channel");
      tenants = List.copyOf(tenants);
    }

    @Override
    public String type() {
      return "slack";
    }
  }

  /** A text/plain mail from {@code from} to {@code to} through an SMTP server. */
  record Email(
      String name,
      String host,
      int port,
      Security security,
      String from,
      List<String> to,
      Optional<String> username,
      Optional<String> password,
      List<String> tenants)
      implements ChannelSpec {
    public Email {
      tenants = List.copyOf(tenants);
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(security, "security");
      Objects.requireNonNull(from, "from");
      to = List.copyOf(to);
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      if (username.isPresent() != password.isPresent()) {
        throw new IllegalArgumentException("username and password go together");
      }
    }

    @Override
    public String type() {
      return "email";
    }
  }

  /** How the connection to the SMTP server is protected; {@code NONE} only to a loopback host. */
  enum Security {
    STARTTLS(587),
    TLS(465),
    NONE(25);

    private final int defaultPort;

    Security(int defaultPort) {
      this.defaultPort = defaultPort;
    }

    public int defaultPort() {
      return defaultPort;
    }

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
