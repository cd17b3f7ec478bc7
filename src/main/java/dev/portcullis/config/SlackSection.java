package dev.portcullis.config;

import dev.portcullis.connector.chat.SlackChannels;
import dev.portcullis.connector.chat.SlackOperation;
import dev.portcullis.vault.SecretRef;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a {@code type: slack} connector (Web API base URL, bot token, channel allowlist) and the
 * {@code slack:} binding of each tool on it. A tool's inputSchema may only name the action's
 * arguments, and a channel it enumerates must be on the allowlist: the load fails otherwise, with
 * the line. The allowlist is checked again on every call.
 */
final class SlackSection {
  static final String DEFAULT_BASE_URL = "https://slack.com/api";
  private static final List<String> POST_MESSAGE_ARGUMENTS =
      List.of("channel", "text", "thread_ts");

  private SlackSection() {}

  static Optional<ConnectorDraft> connector(ConfigReader r, String p, String name) {
    r.onlyKeys(p, Set.of("name", "type", "baseUrl", "token", "channels", "timeout"));
    URI base = HttpSection.baseUri(r, p + "/baseUrl", r.string(p + "/baseUrl", DEFAULT_BASE_URL));
    Optional<SecretRef> token = r.secretRef(p + "/token", true);
    List<String> entries = new ArrayList<>();
    List<String> listed = r.strings(p + "/channels", true);
    for (int i = 0; i < listed.size(); i++) {
      try {
        entries.add(SlackChannels.check(listed.get(i)));
      } catch (IllegalArgumentException e) {
        r.problem(p + "/channels/" + i, e.getMessage());
      }
    }
    Duration timeout = r.duration(p + "/timeout", Duration.ofSeconds(10));
    if (base == null || token.isEmpty() || entries.isEmpty() || entries.size() != listed.size()) {
      return Optional.empty();
    }
    return Optional.of(new Draft(name, base, token.get(), SlackChannels.of(entries), timeout));
  }

  /** A Slack connector before its tools' operations are known. */
  static final class Draft implements ConnectorDraft {
    private final String name;
    private final URI baseUri;
    private final SecretRef token;
    private final SlackChannels channels;
    private final Duration timeout;
    private final Map<String, SlackOperation> operations = new HashMap<>();

    Draft(String name, URI baseUri, SecretRef token, SlackChannels channels, Duration timeout) {
      this.name = name;
      this.baseUri = baseUri;
      this.token = token;
      this.channels = channels;
      this.timeout = timeout;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String bindingKey() {
      return "slack";
    }

    @Override
    public boolean bind(ConfigReader r, String p, String tool, ObjectNode schema) {
      if (!Bindings.action(r, p, SlackOperation.Action.POST_MESSAGE.wireName())) {
        return false;
      }
      String schemaAt = Bindings.schemaBeside(p);
      boolean ok =
          schema == null
              || Bindings.checkArguments(
                  r,
                  schemaAt,
                  schema,
                  "slack postMessage",
                  POST_MESSAGE_ARGUMENTS,
                  List.of("channel", "text"));
      if (schema != null) {
        ok &=
            checkChannelConstraint(
                r, schemaAt + "/properties/channel", schema.path("properties").path("channel"));
      }
      if (ok) {
        operations.put(tool, new SlackOperation(tool, SlackOperation.Action.POST_MESSAGE));
      }
      return ok;
    }

    /** Every channel an {@code enum} or {@code const} of the schema lists must be allowlisted. */
    private boolean checkChannelConstraint(ConfigReader r, String p, JsonNode channel) {
      boolean ok = true;
      List<String> pointers = new ArrayList<>();
      List<JsonNode> values = new ArrayList<>();
      if (channel.has("const")) {
        pointers.add(p + "/const");
        values.add(channel.get("const"));
      }
      for (int i = 0; i < channel.path("enum").size(); i++) {
        pointers.add(p + "/enum/" + i);
        values.add(channel.path("enum").get(i));
      }
      for (int i = 0; i < values.size(); i++) {
        JsonNode v = values.get(i);
        if (!v.isString() || !channels.allows(v.asString())) {
          r.problem(
              pointers.get(i),
              "channel "
                  + v
                  + " is not in the channels of connector '"
                  + name
                  + "' "
                  + channels.entries());
          ok = false;
        }
      }
      return ok;
    }

    @Override
    public ConnectorSpec spec() {
      return new SlackConnectorSpec(name, baseUri, token, channels, timeout, operations);
    }
  }

  /** The connector as {@code config check --print} shows it. */
  static Map<String, Object> normalized(SlackConnectorSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("type", "slack");
    m.put("baseUrl", s.baseUri().toString());
    m.put("token", s.token().toString());
    m.put("channels", s.channels().entries());
    m.put("timeout", NormalizedConfig.duration(s.timeout()));
    return m;
  }

  /** A tool's operation as {@code config check --print} shows it. */
  static Map<String, Object> normalized(SlackOperation op) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("action", op.action().wireName());
    return m;
  }
}
