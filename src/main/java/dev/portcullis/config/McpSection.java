package dev.portcullis.config;

import dev.portcullis.catalog.ResultFilter;
import dev.portcullis.catalog.RiskClass;
import dev.portcullis.catalog.UpstreamToolSpec;
import dev.portcullis.connector.mcp.McpLimits;
import dev.portcullis.connector.mcp.McpTransportSpec;
import dev.portcullis.vault.SecretRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a {@code type: mcp} connector: an upstream MCP server over streamable HTTP or stdio, and
 * the upstream tools that may join the catalog as {@code connector.tool}. Nothing else of the
 * upstream is reachable: a tool it offers that is not listed here is blocked.
 */
final class McpSection {
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "type",
          "transport",
          "url",
          "auth",
          "command",
          "workingDirectory",
          "env",
          "secretEnv",
          "timeout",
          "refresh",
          "maxMessageBytes",
          "maxTools",
          "tools");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern UPSTREAM_TOOL = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

  private McpSection() {}

  static Optional<ConnectorDraft> connector(ConfigReader r, String p, String name) {
    r.onlyKeys(p, KEYS);
    String transportName = r.string(p + "/transport", "http");
    Optional<McpTransportSpec> transport =
        switch (transportName) {
          case "http" -> http(r, p);
          case "stdio" -> stdio(r, p);
          default -> {
            r.problem(p + "/transport", "'" + transportName + "' is not one of [http, stdio]");
            yield Optional.empty();
          }
        };
    Duration timeout = r.duration(p + "/timeout", Duration.ofSeconds(30));
    Duration refresh = r.duration(p + "/refresh", Duration.ofMinutes(5));
    McpLimits limits =
        new McpLimits(
            r.integer(
                p + "/maxMessageBytes",
                McpLimits.DEFAULT.maxMessageBytes(),
                1024,
                256 * 1024 * 1024),
            r.integer(p + "/maxTools", McpLimits.DEFAULT.maxTools(), 1, 100_000));
    List<UpstreamToolSpec> tools = tools(r, p, name);
    if (transport.isEmpty()) {
      return Optional.empty();
    }
    McpConnectorSpec spec =
        new McpConnectorSpec(name, transport.get(), timeout, refresh, limits, tools);
    return Optional.of(new Draft(spec));
  }

  private static Optional<McpTransportSpec> http(ConfigReader r, String p) {
    for (String key : List.of("command", "workingDirectory", "env", "secretEnv")) {
      if (!r.at(p + "/" + key).isMissingNode()) {
        r.problem(p + "/" + key, "is only for transport: stdio");
      }
    }
    Optional<URI> url = r.string(p + "/url", true).map(u -> HttpSection.baseUri(r, p + "/url", u));
    Optional<String> header = Optional.empty();
    String prefix = "";
    Optional<SecretRef> secret = Optional.empty();
    String a = p + "/auth";
    if (r.isObject(a, false)) {
      r.onlyKeys(a, Set.of("type", "header", "secret"));
      String type = r.string(a + "/type", true).orElse("");
      secret = r.secretRef(a + "/secret", true);
      switch (type) {
        case "bearer" -> {
          header = Optional.of("Authorization");
          prefix = "Bearer ";
          if (!r.at(a + "/header").isMissingNode()) {
            r.problem(a + "/header", "is only for type 'header'");
          }
        }
        case "header" ->
            header =
                r.matching(
                    a + "/header",
                    true,
                    Pattern.compile("[A-Za-z0-9-]{1,64}"),
                    "is not an HTTP header name");
        case "" -> {}
        default -> r.problem(a + "/type", "'" + type + "' is not one of [bearer, header]");
      }
    }
    if (url.isEmpty() || (r.isObject(a, false) && (header.isEmpty() || secret.isEmpty()))) {
      return Optional.empty();
    }
    return Optional.of(new McpTransportSpec.Http(url.get(), header, prefix, secret));
  }

  private static Optional<McpTransportSpec> stdio(ConfigReader r, String p) {
    for (String key : List.of("url", "auth")) {
      if (!r.at(p + "/" + key).isMissingNode()) {
        r.problem(p + "/" + key, "is only for transport: http");
      }
    }
    List<String> command = r.strings(p + "/command", true);
    if (command.isEmpty() && !r.at(p + "/command").isMissingNode()) {
      r.problem(p + "/command", "needs the program and its arguments, such as [node, server.mjs]");
    }
    Optional<Path> directory =
        Optional.ofNullable(r.string(p + "/workingDirectory", (String) null)).map(Path::of);
    Map<String, String> env = new LinkedHashMap<>();
    if (r.isObject(p + "/env", false)) {
      for (Map.Entry<String, JsonNode> e : r.at(p + "/env").properties()) {
        if (envName(r, p + "/env/" + e.getKey(), e.getKey())) {
          r.string(p + "/env/" + e.getKey(), true).ifPresent(v -> env.put(e.getKey(), v));
        }
      }
    }
    Map<String, SecretRef> secretEnv = new LinkedHashMap<>();
    if (r.isObject(p + "/secretEnv", false)) {
      for (Map.Entry<String, JsonNode> e : r.at(p + "/secretEnv").properties()) {
        if (envName(r, p + "/secretEnv/" + e.getKey(), e.getKey())) {
          r.secretRef(p + "/secretEnv/" + e.getKey(), true)
              .ifPresent(v -> secretEnv.put(e.getKey(), v));
        }
        if (env.containsKey(e.getKey())) {
          r.problem(p + "/secretEnv/" + e.getKey(), "is also set in env");
        }
      }
    }
    if (command.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new McpTransportSpec.Stdio(command, directory, env, secretEnv));
  }

  private static boolean envName(ConfigReader r, String p, String name) {
    if (!ENV_NAME.matcher(name).matches()) {
      r.problem(p, "'" + name + "' is not an environment variable name");
      return false;
    }
    return true;
  }

  /** {@code tools}: the upstream tools that may join the catalog, each with its risk class. */
  private static List<UpstreamToolSpec> tools(ConfigReader r, String p, String connector) {
    List<UpstreamToolSpec> out = new ArrayList<>();
    int n = r.list(p + "/tools", true);
    if (n == 0 && r.at(p + "/tools").isArray()) {
      r.problem(
          p + "/tools",
          "lists no tool: name the upstream tools that may be called (nothing is exposed by default)");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      String t = p + "/tools/" + i;
      if (!r.isObject(t, true)) {
        continue;
      }
      r.onlyKeys(t, Set.of("name", "risk", "result", "audit"));
      Optional<String> name =
          r.matching(
              t + "/name",
              true,
              UPSTREAM_TOOL,
              "must be the upstream tool's name: letters, digits, '_', '.' or '-' (at most 64)");
      name.filter(v -> !seen.add(v))
          .ifPresent(v -> r.problem(t + "/name", "tool '" + v + "' is listed twice"));
      Optional<RiskClass> risk = r.choice(t + "/risk", true, RiskClass.class);
      Optional<ResultFilter> result = ToolSection.result(r, t + "/result");
      boolean digest = ToolSection.auditDigestOnly(r, t + "/audit");
      String qualified = connector + "." + name.orElse("");
      if (name.isPresent() && !ToolSection.TOOL_NAME.matcher(qualified).matches()) {
        r.problem(
            t + "/name", "'" + qualified + "' is too long for a tool name (at most 64 characters)");
        continue;
      }
      if (name.isPresent() && risk.isPresent() && result.isPresent()) {
        JsonNode resultConfig = r.at(t + "/result").isMissingNode() ? null : r.at(t + "/result");
        out.add(
            new UpstreamToolSpec(
                qualified, connector, name.get(), risk.get(), result.get(), resultConfig, digest));
      }
    }
    return out;
  }

  /**
   * An MCP connector: its tools are declared under it, so no tool under {@code tools:} binds to it.
   */
  private record Draft(McpConnectorSpec spec) implements ConnectorDraft {
    @Override
    public String name() {
      return spec.name();
    }

    @Override
    public String bindingKey() {
      return "mcp";
    }

    @Override
    public boolean bind(ConfigReader r, String p, String tool, ObjectNode schema) {
      r.problem(
          p.substring(0, p.lastIndexOf('/')) + "/connector",
          "connector '"
              + spec.name()
              + "' is an MCP upstream: list its tools under the connector's tools (they are named "
              + spec.name()
              + ".TOOL), not under tools:");
      return false;
    }
  }
}
