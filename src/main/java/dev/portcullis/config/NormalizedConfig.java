package dev.portcullis.config;

import dev.portcullis.approval.ApprovalSettings;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.ToolDefinition;
import dev.portcullis.connector.sql.SqlOperation;
import dev.portcullis.identity.AgentSpec;
import dev.portcullis.identity.ApproverSpec;
import dev.portcullis.policy.Condition;
import dev.portcullis.policy.NamePattern;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.Target;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration as the gateway understands it, with every default filled in: what {@code
 * portcullis config check --print} shows, and what the golden tests compare. Secret references
 * appear as references; there are no secret values to show.
 */
public final class NormalizedConfig {
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private NormalizedConfig() {}

  private static Map<String, Object> store(StoreSettings s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", s.type());
    s.postgres()
        .ifPresent(
            pg -> {
              out.put("url", pg.url());
              out.put("user", pg.user());
              out.put("password", pg.password().map(Object::toString).orElse(null));
              out.put("poolSize", pg.poolSize());
            });
    return out;
  }

  public static String render(GatewayConfig c) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("apiVersion", ConfigLoader.API_VERSION);
    root.put("kind", "Gateway");
    root.put("server", server(c.server()));
    root.put("audit", java.util.Collections.singletonMap("durability", c.durability().wireName()));
    root.put("store", store(c.store()));
    root.put("agents", c.agents().stream().map(NormalizedConfig::agent).toList());
    List<Map<String, Object>> connectors = new java.util.ArrayList<>();
    c.connectors()
        .forEach(
            s ->
                connectors.add(
                    switch (s) {
                      case HttpConnectorSpec h -> HttpSection.normalized(h);
                      case SqlConnectorSpec q -> sqlConnector(q);
                      case McpConnectorSpec m -> mcpConnector(m);
                      case SlackConnectorSpec k -> SlackSection.normalized(k);
                      case MailConnectorSpec ml -> MailSection.normalized(ml);
                    }));
    connectors.sort(Comparator.comparing(m -> (String) m.get("name")));
    root.put("connectors", connectors);
    root.put("tools", c.tools().stream().map(e -> tool(e, c)).toList());
    root.put(
        "policies",
        c.policyPaths().stream()
            .map(p -> c.source().getParent().relativize(p).toString())
            .toList());
    Map<String, Object> policy = new LinkedHashMap<>();
    policy.put("version", c.policy().version());
    policy.put("rules", c.policy().rules().stream().map(NormalizedConfig::rule).toList());
    root.put("policySet", policy);
    root.put("approvers", c.approvers().stream().map(NormalizedConfig::approver).toList());
    root.put("approvals", approvals(c));
    return JSON.writeValueAsString(root) + "\n";
  }

  private static Map<String, Object> server(ServerSettings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("listen", s.host() + ":" + s.port());
    m.put("publicUrl", s.publicUrl().toString());
    m.put("allowedHosts", s.allowedHosts());
    m.put("allowedOrigins", s.allowedOrigins());
    m.put("maxRequestBytes", s.maxRequestBytes());
    Map<String, Object> arguments = new LinkedHashMap<>();
    arguments.put("maxBytes", s.arguments().maxBytes());
    arguments.put("maxDepth", s.arguments().maxDepth());
    m.put("arguments", arguments);
    Map<String, Object> sessions = new LinkedHashMap<>();
    sessions.put("max", s.mcpSessions().max());
    sessions.put("perAgent", s.mcpSessions().perAgent());
    sessions.put("idleTimeout", duration(s.mcpSessions().idleTimeout()));
    m.put("mcpSessions", sessions);
    return m;
  }

  private static Map<String, Object> approver(ApproverSpec a) {
    Map<String, Object> m = new LinkedHashMap<>();
    switch (a) {
      case ApproverSpec.Keyed k -> {
        m.put("id", k.id());
        m.put("keys", k.keyHashes());
      }
      case ApproverSpec.ByRole r -> {
        m.put("issuer", r.issuer());
        m.put("role", r.role());
        m.put("audience", r.audience());
      }
    }
    m.put("tenants", a.tenants());
    return m;
  }

  private static Map<String, Object> approvals(GatewayConfig c) {
    ApprovalSettings a = c.approvals();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("timeout", duration(a.timeout()));
    m.put("mcpWait", duration(a.mcpWait()));
    m.put(
        "quorum",
        a.quorum().stream()
            .map(
                q -> {
                  Map<String, Object> rule = new LinkedHashMap<>();
                  rule.put("tools", q.tools());
                  rule.put("approvers", q.approvers());
                  return rule;
                })
            .toList());
    m.put("notify", c.notifyChannels().stream().map(NotifySection::normalized).toList());
    return m;
  }

  private static Map<String, Object> agent(AgentSpec a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id());
    m.put("tenant", a.tenant());
    m.put("description", a.description());
    m.put("keys", a.keyHashes());
    return m;
  }

  private static Map<String, Object> sqlConnector(SqlConnectorSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("type", "sql");
    m.put("jdbcUrl", s.jdbcUrl());
    s.username().ifPresent(u -> m.put("username", u));
    s.password().ifPresent(p -> m.put("password", Map.of("secret", p.toString())));
    m.put("maxRows", s.maxRows());
    m.put("timeout", duration(s.timeout()));
    m.put("poolSize", s.poolSize());
    Map<String, Object> relations = new java.util.TreeMap<>();
    s.allowlist()
        .relations()
        .forEach(
            r -> relations.put(r, new java.util.TreeSet<>(s.allowlist().columns(r).orElseThrow())));
    m.put("relations", relations);
    return m;
  }

  private static Map<String, Object> mcpConnector(McpConnectorSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("type", "mcp");
    switch (s.transport()) {
      case dev.portcullis.connector.mcp.McpTransportSpec.Http h -> {
        m.put("transport", "http");
        m.put("url", h.url().toString());
        h.secret()
            .ifPresent(
                ref -> {
                  Map<String, Object> auth = new LinkedHashMap<>();
                  auth.put("header", h.header().orElseThrow());
                  auth.put("prefix", h.prefix());
                  auth.put("secret", ref.toString());
                  m.put("auth", auth);
                });
      }
      case dev.portcullis.connector.mcp.McpTransportSpec.Stdio st -> {
        m.put("transport", "stdio");
        m.put("command", st.command());
        m.put("workingDirectory", st.directory().map(Object::toString).orElse("."));
        m.put("env", new java.util.TreeMap<>(st.environment()));
        Map<String, Object> secretEnv = new java.util.TreeMap<>();
        st.secretEnvironment().forEach((k, v) -> secretEnv.put(k, v.toString()));
        m.put("secretEnv", secretEnv);
      }
    }
    m.put("timeout", duration(s.timeout()));
    m.put("refresh", duration(s.refresh()));
    m.put(
        "tools",
        s.tools().stream()
            .map(
                t -> {
                  Map<String, Object> tool = new LinkedHashMap<>();
                  tool.put("name", t.name());
                  tool.put("upstream", t.upstreamName());
                  tool.put("risk", t.risk().wireName());
                  tool.put(
                      "audit",
                      java.util.Collections.singletonMap(
                          "arguments", t.auditArgumentsDigestOnly() ? "digest" : "full"));
                  Map<String, Object> result = new LinkedHashMap<>();
                  if (!t.result().keepsAllFields()) {
                    result.put("fields", t.result().fields());
                  }
                  result.put(
                      "redact", t.result().redact().stream().map(k -> k.wireName()).toList());
                  tool.put("result", result);
                  return tool;
                })
            .toList());
    return m;
  }

  private static Map<String, Object> sqlOperation(SqlOperation op) {
    // Ordered maps: Map.of iterates in a per-run order, which would make the golden form flaky.
    Map<String, Object> m = new LinkedHashMap<>();
    switch (op) {
      case SqlOperation.NamedQuery q -> {
        m.put("query", q.query().jdbcSql());
        m.put("parameters", q.query().parameters());
      }
      case SqlOperation.AllowlistSelect s -> {
        Map<String, Object> select = new LinkedHashMap<>();
        select.put("from", s.relation());
        select.put("columns", s.columns());
        m.put("select", select);
      }
    }
    return m;
  }

  private static Map<String, Object> tool(CatalogEntry e, GatewayConfig c) {
    ToolDefinition t = e.tool();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.name());
    m.put("title", t.title());
    m.put("description", t.description());
    m.put("version", t.version());
    m.put("risk", t.risk().wireName());
    m.put("connector", t.connector());
    m.put("descriptorHash", t.descriptorHash());
    m.put(
        "audit",
        java.util.Collections.singletonMap(
            "arguments", t.auditArgumentsDigestOnly() ? "digest" : "full"));
    c.connectors().stream()
        .filter(s -> s.name().equals(t.connector()))
        .findFirst()
        .ifPresent(
            s -> {
              switch (s) {
                case HttpConnectorSpec h ->
                    m.put("http", HttpSection.normalized(h.operations().get(t.name())));
                case SqlConnectorSpec q -> m.put("sql", sqlOperation(q.operations().get(t.name())));
                case McpConnectorSpec q -> {}
                case SlackConnectorSpec k ->
                    m.put("slack", SlackSection.normalized(k.operations().get(t.name())));
                case MailConnectorSpec ml ->
                    m.put("mail", MailSection.normalized(ml.operations().get(t.name())));
              }
            });
    m.put("inputSchema", t.inputSchema());
    c.reversals().stream()
        .filter(v -> v.tool().equals(t.name()))
        .findFirst()
        .ifPresent(
            v -> {
              v.before().ifPresent(b -> m.put("before", ReversalSection.normalized(b)));
              v.compensate().ifPresent(k -> m.put("compensate", ReversalSection.normalized(k)));
            });
    Map<String, Object> result = new LinkedHashMap<>();
    if (!e.result().keepsAllFields()) {
      result.put("fields", e.result().fields());
    }
    result.put("redact", e.result().redact().stream().map(k -> k.wireName()).toList());
    m.put("result", result);
    return m;
  }

  /** Durations as written in configuration: {@code 10s}, {@code 1500ms}. */
  static String duration(java.time.Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static Map<String, Object> rule(Rule r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("description", r.description());
    m.put("effect", r.effect().name().toLowerCase(java.util.Locale.ROOT));
    m.put("mode", r.mode().name().toLowerCase(java.util.Locale.ROOT));
    Target t = r.target();
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("tenants", new java.util.TreeSet<>(t.tenants()));
    target.put("agents", t.agents().stream().map(NamePattern::source).toList());
    Map<String, Object> users = new LinkedHashMap<>();
    users.put("ids", new java.util.TreeSet<>(t.userIds()));
    users.put("roles", new java.util.TreeSet<>(t.userRoles()));
    users.put("groups", new java.util.TreeSet<>(t.userGroups()));
    target.put("users", users);
    target.put("tools", t.tools().stream().map(NamePattern::source).toList());
    target.put("risk", new java.util.TreeSet<>(t.risks()));
    target.put("connectors", new java.util.TreeSet<>(t.connectors()));
    m.put("target", target);
    m.put("when", r.condition().map(Condition::source).orElse(null));
    m.put("source", r.source());
    return m;
  }
}
