package dev.portcullis.config;

import dev.portcullis.connector.mail.MailAddresses;
import dev.portcullis.connector.mail.MailOperation;
import dev.portcullis.connector.mail.MailSecurity;
import dev.portcullis.connector.mail.RecipientDomains;
import dev.portcullis.connector.mail.SmtpServer;
import dev.portcullis.vault.SecretRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a {@code type: smtp} connector (server, protection, login, fixed sender, recipient domain
 * allowlist) and the {@code mail:} binding of each tool on it. A clear-text connection to anything
 * but a loopback host fails the load.
 */
final class MailSection {
  private static final List<String> SEND_ARGUMENTS = List.of("to", "cc", "subject", "body");
  static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[?::1]?");

  private MailSection() {}

  static Optional<ConnectorDraft> connector(ConfigReader r, String p, String name) {
    r.onlyKeys(
        p,
        Set.of(
            "name",
            "type",
            "host",
            "port",
            "security",
            "username",
            "password",
            "from",
            "allowedRecipientDomains",
            "maxRecipients",
            "timeout"));
    Optional<String> host = r.matching(p + "/host", true, HOST, "is not a host name or IP address");
    MailSecurity security =
        r.choice(p + "/security", false, MailSecurity.class).orElse(MailSecurity.STARTTLS);
    host.filter(h -> security == MailSecurity.NONE && !MailSecurity.isLoopback(h))
        .ifPresent(
            h ->
                r.problem(
                    p + "/security",
                    "'none' sends the mail and the password in clear text; it is allowed only to a loopback host "
                        + "(localhost, 127.0.0.1, ::1), not '"
                        + h
                        + "': use starttls or tls"));
    int port = r.integer(p + "/port", security.defaultPort(), 1, 65_535);
    Login login = login(r, p);
    Optional<String> username = login.username();
    Optional<SecretRef> password = login.password();
    Optional<String> from = sender(r, p + "/from");
    List<String> listed = r.strings(p + "/allowedRecipientDomains", true);
    List<String> domains = new ArrayList<>();
    for (int i = 0; i < listed.size(); i++) {
      try {
        domains.add(RecipientDomains.check(listed.get(i)));
      } catch (IllegalArgumentException e) {
        r.problem(p + "/allowedRecipientDomains/" + i, e.getMessage());
      }
    }
    int maxRecipients = r.integer(p + "/maxRecipients", 10, 1, 100);
    Duration timeout = r.duration(p + "/timeout", Duration.ofSeconds(10));
    if (host.isEmpty()
        || from.isEmpty()
        || domains.isEmpty()
        || domains.size() != listed.size()
        || username.isPresent() != password.isPresent()
        || (security == MailSecurity.NONE && !MailSecurity.isLoopback(host.get()))) {
      return Optional.empty();
    }
    SmtpServer server = new SmtpServer(host.get(), port, security, username, password, timeout);
    return Optional.of(
        new Draft(name, server, from.get(), RecipientDomains.of(domains), maxRecipients));
  }

  /** The {@code from} member at {@code path}: a required, well-formed sender address. */
  static Optional<String> sender(ConfigReader r, String path) {
    return r.string(path, true)
        .flatMap(
            f -> {
              try {
                MailAddresses.sender(f);
                return Optional.of(f);
              } catch (IllegalArgumentException e) {
                r.problem(path, e.getMessage());
                return Optional.empty();
              }
            });
  }

  /** An SMTP login: {@code username} and {@code password} (a secret reference), both or neither. */
  record Login(Optional<String> username, Optional<SecretRef> password) {}

  /**
   * Reads the optional {@code username} and {@code password} below {@code p}; one without the other
   * is a problem.
   */
  static Login login(ConfigReader r, String p) {
    Optional<String> username = Optional.ofNullable(r.string(p + "/username", (String) null));
    boolean passwordGiven = !r.at(p + "/password").isMissingNode();
    Optional<SecretRef> password = r.secretRef(p + "/password", false);
    if (username.isPresent() != passwordGiven) {
      r.problem(
          p + (username.isPresent() ? "/username" : "/password"),
          "username and password go together");
    }
    return new Login(username, password);
  }

  /** An SMTP connector before its tools' operations are known. */
  static final class Draft implements ConnectorDraft {
    private final String name;
    private final SmtpServer server;
    private final String from;
    private final RecipientDomains domains;
    private final int maxRecipients;
    private final Map<String, MailOperation> operations = new HashMap<>();

    Draft(
        String name, SmtpServer server, String from, RecipientDomains domains, int maxRecipients) {
      this.name = name;
      this.server = server;
      this.from = from;
      this.domains = domains;
      this.maxRecipients = maxRecipients;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String bindingKey() {
      return "mail";
    }

    @Override
    public boolean bind(ConfigReader r, String p, String tool, ObjectNode schema) {
      if (!Bindings.action(r, p, MailOperation.Action.SEND.wireName())) {
        return false;
      }
      String schemaAt = Bindings.schemaBeside(p);
      boolean ok =
          schema == null
              || Bindings.checkArguments(
                  r,
                  schemaAt,
                  schema,
                  "mail send",
                  SEND_ARGUMENTS,
                  List.of("to", "subject", "body"));
      if (ok) {
        operations.put(tool, new MailOperation(tool, MailOperation.Action.SEND));
      }
      return ok;
    }

    @Override
    public ConnectorSpec spec() {
      return new MailConnectorSpec(name, server, from, domains, maxRecipients, operations);
    }
  }

  /** The connector as {@code config check --print} shows it. */
  static Map<String, Object> normalized(MailConnectorSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("type", "smtp");
    m.put("host", s.server().host());
    m.put("port", s.server().port());
    m.put("security", s.server().security().wireName());
    s.server().username().ifPresent(u -> m.put("username", u));
    s.server().password().ifPresent(pw -> m.put("password", pw.toString()));
    m.put("from", s.from());
    m.put("allowedRecipientDomains", s.allowedRecipientDomains().entries());
    m.put("maxRecipients", s.maxRecipients());
    m.put("timeout", NormalizedConfig.duration(s.server().timeout()));
    return m;
  }

  /** A tool's operation as {@code config check --print} shows it. */
  static Map<String, Object> normalized(MailOperation op) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("action", op.action().wireName());
    return m;
  }
}
