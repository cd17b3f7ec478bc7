package dev.portcullis.config;

import dev.portcullis.connector.sql.SqlAllowlist;
import dev.portcullis.connector.sql.SqlGuard;
import dev.portcullis.connector.sql.SqlOperation;
import dev.portcullis.connector.sql.SqlRefusedException;
import dev.portcullis.vault.SecretRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads a {@code type: sql} connector and the {@code sql:} binding of the tools on it. Every
 * configured query passes the {@link SqlGuard} here, at load, so a non-SELECT, an unknown table or
 * column fails the load with its line.
 */
final class SqlSection {
  static final Set<String> CONNECTOR_KEYS =
      Set.of(
          "name",
          "type",
          "jdbcUrl",
          "username",
          "password",
          "maxRows",
          "timeout",
          "poolSize",
          "relations");

  private SqlSection() {}

  /** A SQL connector before its tools' operations are known. */
  static final class Draft implements ConnectorDraft {
    final String name;
    final String jdbcUrl;
    final Optional<String> username;
    final Optional<SecretRef> password;
    final int maxRows;
    final Duration timeout;
    final int poolSize;
    final SqlAllowlist allowlist;
    final Map<String, SqlOperation> operations = new HashMap<>();

    Draft(
        String name,
        String jdbcUrl,
        Optional<String> username,
        Optional<SecretRef> password,
        int maxRows,
        Duration timeout,
        int poolSize,
        SqlAllowlist allowlist) {
      this.name = name;
      this.jdbcUrl = jdbcUrl;
      this.username = username;
      this.password = password;
      this.maxRows = maxRows;
      this.timeout = timeout;
      this.poolSize = poolSize;
      this.allowlist = allowlist;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String bindingKey() {
      return "sql";
    }

    @Override
    public boolean bind(
        ConfigReader r, String p, String tool, tools.jackson.databind.node.ObjectNode schema) {
      Optional<SqlOperation> op = binding(r, p, tool, this, schema);
      op.ifPresent(o -> operations.put(tool, o));
      return op.isPresent();
    }

    @Override
    public ConnectorSpec spec() {
      return new SqlConnectorSpec(
          name, jdbcUrl, username, password, maxRows, timeout, poolSize, allowlist, operations);
    }
  }

  static Optional<ConnectorDraft> connector(ConfigReader r, String p, String name) {
    r.onlyKeys(p, CONNECTOR_KEYS);
    Optional<String> url = r.string(p + "/jdbcUrl", true);
    url.filter(u -> !(u.startsWith("jdbc:postgresql:") || u.startsWith("jdbc:sqlite:")))
        .ifPresent(
            u -> r.problem(p + "/jdbcUrl", "must start with jdbc:postgresql: or jdbc:sqlite:"));
    Optional<String> username = Optional.ofNullable(r.string(p + "/username", (String) null));
    Optional<SecretRef> password = Optional.empty();
    if (r.isObject(p + "/password", false)) {
      r.onlyKeys(p + "/password", Set.of("secret"));
      password = r.secretRef(p + "/password/secret", true);
    }
    int maxRows = r.integer(p + "/maxRows", 100, 1, 10_000);
    Duration timeout = r.duration(p + "/timeout", Duration.ofSeconds(10));
    int poolSize = r.integer(p + "/poolSize", 4, 1, 64);
    Map<String, List<String>> relations = new LinkedHashMap<>();
    if (r.isObject(p + "/relations", true)) {
      for (Map.Entry<String, JsonNode> e : r.at(p + "/relations").properties()) {
        String rp = p + "/relations/" + e.getKey();
        List<String> cols = r.strings(rp, true);
        try {
          SqlAllowlist.of(Map.of(e.getKey(), cols));
          relations.put(e.getKey(), cols);
        } catch (IllegalArgumentException ex) {
          r.problem(rp, ex.getMessage());
        }
      }
    }
    if (url.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Draft(
            name,
            url.get(),
            username,
            password,
            maxRows,
            timeout,
            poolSize,
            SqlAllowlist.of(relations)));
  }

  /** A tool's {@code sql:} binding: {@code query: ...} or {@code select: {from, columns}}. */
  private static Optional<SqlOperation> binding(
      ConfigReader r, String p, String tool, Draft draft, JsonNode schema) {
    if (!r.isObject(p, true)) {
      return Optional.empty();
    }
    r.onlyKeys(p, Set.of("query", "select"));
    boolean hasQuery = !r.at(p + "/query").isMissingNode();
    boolean hasSelect = !r.at(p + "/select").isMissingNode();
    if (hasQuery == hasSelect) {
      r.problem(p, "needs exactly one of query or select");
      return Optional.empty();
    }
    if (hasQuery) {
      Optional<String> sql = r.string(p + "/query", true);
      if (sql.isEmpty()) {
        return Optional.empty();
      }
      try {
        var checked = new SqlGuard(draft.allowlist).check(sql.get(), draft.maxRows);
        Set<String> properties = new java.util.HashSet<>();
        if (schema != null) {
          schema.path("properties").propertyNames().forEach(properties::add);
        }
        for (String param : checked.parameters()) {
          if (!properties.contains(param)) {
            r.problem(p + "/query", "parameter :" + param + " is not a property of inputSchema");
            return Optional.empty();
          }
        }
        return Optional.of(new SqlOperation.NamedQuery(tool, checked));
      } catch (SqlRefusedException e) {
        r.problem(p + "/query", e.getMessage());
        return Optional.empty();
      }
    }
    String sp = p + "/select";
    if (!r.isObject(sp, true)) {
      return Optional.empty();
    }
    r.onlyKeys(sp, Set.of("from", "columns"));
    Optional<String> from = r.string(sp + "/from", true);
    List<String> columns = r.strings(sp + "/columns", true);
    if (from.isEmpty()) {
      return Optional.empty();
    }
    Optional<Set<String>> allowed = draft.allowlist.columns(from.get());
    if (allowed.isEmpty()) {
      r.problem(
          sp + "/from",
          "'" + from.get() + "' is not in the relations of connector '" + draft.name + "'");
      return Optional.empty();
    }
    List<String> ok = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      if (!draft.allowlist.allows(from.get(), columns.get(i))
          || columns.get(i).equals(SqlAllowlist.ALL_COLUMNS)) {
        r.problem(
            sp + "/columns/" + i,
            "column '" + columns.get(i) + "' is not allowlisted for '" + from.get() + "'");
      } else {
        ok.add(columns.get(i));
      }
    }
    if (ok.size() != columns.size() || ok.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new SqlOperation.AllowlistSelect(tool, from.get(), ok));
    } catch (IllegalArgumentException e) {
      r.problem(sp, e.getMessage());
      return Optional.empty();
    }
  }
}
