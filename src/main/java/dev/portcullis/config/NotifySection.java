package dev.portcullis.config;

import dev.portcullis.approval.notify.ChannelSpec;
import dev.portcullis.connector.chat.SlackChannels;
import dev.portcullis.connector.mail.MailAddresses;
import dev.portcullis.connector.mail.MailSecurity;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code approvals.notify}: the channels that tell approvers a call is parked (webhook,
 * Slack, e-mail), each with secret references only. Anything that would send a secret or a notice
 * in clear text to another machine (an http webhook, a Slack base URL over http, SMTP without TLS)
 * is allowed only to a loopback host.
 */
final class NotifySection {
  private static final String P = "/approvals/notify";

  private final ConfigReader r;

  NotifySection(ConfigReader r) {
    this.r = r;
  }

  /**
   * The channels, each scoped to tenants of {@code agentTenants} ({@code tenants:}, by default the
   * agents' one tenant, required when they are in several).
   */
  List<ChannelSpec> channels(Set<String> agentTenants) {
    TenantsKey tenantsKey = new TenantsKey(r, agentTenants);
    List<ChannelSpec> out = new ArrayList<>();
    if (!r.isObject("/approvals", false)) {
      return out;
    }
    int n = r.list(P, false);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < n; i++) {
      String p = P + "/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      Optional<String> type = r.string(p + "/type", true);
      if (type.isEmpty()) {
        continue;
      }
      String name =
          r.at(p + "/name").isMissingNode()
              ? type.get() + "-" + (i + 1)
              : r.matching(p + "/name", true, ConfigLoader.ID, ConfigLoader.ID_RULE).orElse(null);
      if (name != null && !names.add(name)) {
        r.problem(p + "/name", "channel '" + name + "' is defined twice");
      }
      List<String> tenants = tenantsKey.read(p, "this channel announces").orElse(List.of());
      Optional<? extends ChannelSpec> spec =
          switch (type.get()) {
            case "webhook" -> webhook(p, name, tenants);
            case "slack" -> slack(p, name, tenants);
            case "email" -> email(p, name, tenants);
            default -> {
              r.problem(p + "/type", "'" + type.get() + "' is not one of [webhook, slack, email]");
              yield Optional.empty();
            }
          };
      spec.ifPresent(out::add);
    }
    return out;
  }

  private Optional<ChannelSpec.Webhook> webhook(String p, String name, List<String> tenants) {
    r.onlyKeys(p, Set.of("type", "name", "url", "secret", "tenants"));
    URI url = r.string(p + "/url", true).map(u -> url(p + "/url", u, "webhook")).orElse(null);
    Optional<String> secret = r.secretRef(p + "/secret", true).map(Object::toString);
    if (name == null || url == null || secret.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ChannelSpec.Webhook(name, url, secret.get(), tenants));
  }

  private Optional<ChannelSpec.Slack> slack(String p, String name, List<String> tenants) {
    r.onlyKeys(p, Set.of("type", "name", "token", "channel", "baseUrl", "tenants"));
    URI base =
        r.at(p + "/baseUrl").isMissingNode()
            ? ChannelSpec.Slack.DEFAULT_BASE_URL
            : r.string(p + "/baseUrl", true)
                .map(u -> url(p + "/baseUrl", u, "Slack API"))
                .orElse(null);
    Optional<String> token = r.secretRef(p + "/token", true).map(Object::toString);
    Optional<String> channel =
        r.string(p + "/channel", true)
            .flatMap(
                c -> {
                  try {
                    return Optional.of(SlackChannels.check(c));
                  } catch (IllegalArgumentException e) {
                    r.problem(p + "/channel", e.getMessage());
                    return Optional.empty();
                  }
                });
    if (name == null || base == null || token.isEmpty() || channel.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ChannelSpec.Slack(name, base, token.get(), channel.get(), tenants));
  }

  private Optional<ChannelSpec.Email> email(String p, String name, List<String> tenants) {
    r.onlyKeys(
        p,
        Set.of(
            "type",
            "name",
            "host",
            "port",
            "security",
            "from",
            "to",
            "username",
            "password",
            "tenants"));
    Optional<String> host =
        r.matching(p + "/host", true, MailSection.HOST, "is not a host name or IP address");
    ChannelSpec.Security security =
        r.choice(p + "/security", false, ChannelSpec.Security.class)
            .orElse(ChannelSpec.Security.STARTTLS);
    boolean clearToRemote =
        security == ChannelSpec.Security.NONE
            && host.isPresent()
            && !MailSecurity.isLoopback(host.get());
    if (clearToRemote) {
      r.problem(
          p + "/security",
          "'none' sends the notice and the password in clear text; it is allowed only to a"
              + " loopback host (localhost, 127.0.0.1, ::1), not '"
              + host.get()
              + "': use starttls or tls");
    }
    int port = r.integer(p + "/port", security.defaultPort(), 1, 65_535);
    Optional<String> from = MailSection.sender(r, p + "/from");
    List<String> to = r.strings(p + "/to", true);
    boolean toOk = !to.isEmpty();
    for (int i = 0; i < to.size(); i++) {
      if (MailAddresses.domainOf(to.get(i)).isEmpty()) {
        r.problem(
            p + "/to/" + i, "'" + to.get(i) + "' is not a bare address such as approvers@acme.com");
        toOk = false;
      }
    }
    MailSection.Login login = MailSection.login(r, p);
    Optional<String> username = login.username();
    Optional<String> password = login.password().map(Object::toString);
    if (name == null
        || host.isEmpty()
        || clearToRemote
        || from.isEmpty()
        || !toOk
        || username.isPresent() != password.isPresent()) {
      return Optional.empty();
    }
    return Optional.of(
        new ChannelSpec.Email(
            name, host.get(), port, security, from.get(), to, username, password, tenants));
  }

  /**
   * An absolute http(s) URL; plain http only to a loopback host. Null, with a problem, otherwise.
   */
  private URI url(String p, String text, String what) {
    try {
      URI uri = new URI(text);
      if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getRawUserInfo() != null
          || uri.getRawFragment() != null) {
        throw new URISyntaxException(text, "need http(s)://host[:port][/path]");
      }
      if ("http".equals(uri.getScheme()) && !MailSecurity.isLoopback(uri.getHost())) {
        r.problem(
            p,
            "the "
                + what
                + " URL must use https (plain http is allowed only to a loopback host"
                + " such as 127.0.0.1), not '"
                + text
                + "'");
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      r.problem(
          p,
          "'"
              + text
              + "' is not an absolute http(s) URL such as https://hooks.acme.com/portcullis");
      return null;
    }
  }

  /** A channel as {@code config check --print} shows it: references, never secrets. */
  static Map<String, Object> normalized(ChannelSpec c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", c.name());
    m.put("type", c.type());
    switch (c) {
      case ChannelSpec.Webhook w -> {
        m.put("url", w.url().toString());
        m.put("secret", w.secret());
      }
      case ChannelSpec.Slack s -> {
        m.put("baseUrl", s.baseUrl().toString());
        m.put("token", s.token());
        m.put("channel", s.channel());
      }
      case ChannelSpec.Email e -> {
        m.put("host", e.host());
        m.put("port", e.port());
        m.put("security", e.security().wireName());
        m.put("from", e.from());
        m.put("to", e.to());
        e.username().ifPresent(u -> m.put("username", u));
        e.password().ifPresent(pw -> m.put("password", pw));
      }
    }
    m.put("tenants", c.tenants());
    return m;
  }
}
