package dev.portcullis.connector.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Invocation;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs tools as read-only SELECTs over JDBC (PostgreSQL or SQLite) and answers {@code {"rows":
 * [...], "truncated": bool}}.
 *
 * <p>Security: every statement passes the {@link SqlGuard} — configured queries at load, built ones
 * on each call — and argument values are only ever bound as JDBC parameters. Below the guard the
 * connection itself is read-only (see {@link ReadOnlyDataSource}), so a statement that slipped
 * through still cannot write. The database password is resolved from its secret reference when a
 * pooled connection is opened and is kept nowhere (a result names the reference and version its
 * connection was opened with); database error text is not passed to the agent (only the SQLState),
 * since it can name schema objects.
 *
 * <p>Failure: timeouts, unreachable databases and SQL errors become typed failures; no retries.
 *
 * <p>Concurrency: immutable apart from the Hikari pool, which is thread-safe.
 */
public final class SqlConnector implements Connector {
  private static final Logger LOG = LoggerFactory.getLogger(SqlConnector.class);

  private final String name;
  private final Map<String, SqlOperation> operations;
  private final SqlGuard guard;
  private final int maxRows;
  private final Duration timeout;
  private final ReadOnlyDataSource database;
  private final HikariDataSource pool;
  private final JsonMapper json;

  public SqlConnector(
      String name,
      ReadOnlyDataSource database,
      SqlAllowlist allowlist,
      Map<String, SqlOperation> operations,
      int maxRows,
      Duration timeout,
      int poolSize,
      JsonMapper json) {
    this.name = name;
    this.operations = Map.copyOf(operations);
    this.guard = new SqlGuard(allowlist);
    this.maxRows = maxRows;
    this.timeout = timeout;
    this.json = json;
    this.database = database;
    HikariConfig config = new HikariConfig();
    config.setPoolName("portcullis-sql-" + name);
    config.setDataSource(database);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(0);
    config.setAutoCommit(true);
    config.setReadOnly(true);
    config.setConnectionTimeout(Math.max(250, timeout.toMillis()));
    config.setInitializationFailTimeout(-1);
    this.pool = new HikariDataSource(config);
  }

  /** The pool, for tests that prove the connection itself refuses writes. */
  DataSource dataSource() {
    return pool;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ConnectorResult invoke(Invocation invocation) {
    SqlOperation op = operations.get(invocation.toolName());
    if (op == null) {
      return new ConnectorResult.Failure(
          FailureKind.INTERNAL,
          "connector " + name + " has no operation for " + invocation.toolName());
    }
    JsonNode args = invocation.arguments();
    GuardedQuery query;
    List<JsonNode> values = new ArrayList<>();
    int limit = maxRows;
    try {
      switch (op) {
        case SqlOperation.NamedQuery q -> {
          query = q.query();
          for (String p : query.parameters()) {
            values.add(args.path(p));
          }
        }
        case SqlOperation.AllowlistSelect s -> {
          limit = limit(args.path("limit"));
          Map<String, JsonNode> bound = new HashMap<>();
          query = build(s, args, bound, limit);
          for (String p : query.parameters()) {
            values.add(bound.get(p));
          }
        }
      }
    } catch (SqlRefusedException e) {
      return new ConnectorResult.Failure(FailureKind.UPSTREAM_REJECTED, e.getMessage());
    }
    return run(query, values, limit);
  }

  private int limit(JsonNode requested) throws SqlRefusedException {
    if (requested.isMissingNode() || requested.isNull()) {
      return maxRows;
    }
    if (!requested.isIntegralNumber() || requested.asLong() < 1) {
      throw new SqlRefusedException("refused: 'limit' must be a positive integer");
    }
    return (int) Math.min(requested.asLong(), maxRows);
  }

  /** Builds the SELECT from allowlisted identifiers only; the agent's values become parameters. */
  private GuardedQuery build(
      SqlOperation.AllowlistSelect s, JsonNode args, Map<String, JsonNode> bound, int limit)
      throws SqlRefusedException {
    Set<String> allowed = new LinkedHashSet<>(s.columns());
    List<String> chosen = new ArrayList<>();
    JsonNode columns = args.path("columns");
    if (columns.isMissingNode() || columns.isNull()) {
      chosen.addAll(allowed);
    } else if (columns.isArray()) {
      for (JsonNode c : columns) {
        chosen.add(known(allowed, c, "columns"));
      }
    } else {
      throw new SqlRefusedException("refused: 'columns' must be a list of column names");
    }
    if (chosen.isEmpty()) {
      throw new SqlRefusedException("refused: 'columns' must name at least one column");
    }
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(String.join(", ", chosen))
            .append(" FROM ")
            .append(s.relation());
    JsonNode where = args.path("where");
    if (!where.isMissingNode() && !where.isNull()) {
      if (!where.isObject()) {
        throw new SqlRefusedException("refused: 'where' must be an object of column: value");
      }
      String sep = " WHERE ";
      int i = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = where.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String column = known(allowed, json.getNodeFactory().stringNode(e.getKey()), "where");
        if (!e.getValue().isValueNode()) {
          throw new SqlRefusedException("refused: where." + column + " must be a single value");
        }
        sql.append(sep).append(column).append(" = :w").append(i);
        bound.put("w" + i, e.getValue());
        i++;
        sep = " AND ";
      }
    }
    return guard.check(sql.toString(), limit);
  }

  private static String known(Set<String> allowed, JsonNode name, String field)
      throws SqlRefusedException {
    String text = name.isString() ? name.asString() : name.toString();
    for (String a : allowed) {
      if (a.equalsIgnoreCase(text)) {
        return a;
      }
    }
    throw new SqlRefusedException(
        "refused: " + field + ": column '" + text + "' is not allowlisted");
  }

  private ConnectorResult run(GuardedQuery query, List<JsonNode> values, int limit) {
    CredentialUse used = null;
    try (Connection c = pool.getConnection();
        PreparedStatement st = c.prepareStatement(query.jdbcSql())) {
      used = database.credentialOf(c).orElse(null);
      st.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
      st.setMaxRows(limit + 1);
      for (int i = 0; i < values.size(); i++) {
        bind(st, i + 1, values.get(i));
      }
      try (ResultSet rs = st.executeQuery()) {
        return new ConnectorResult.Success(rows(rs, limit), used);
      }
    } catch (SQLException e) {
      return failure(e, used);
    }
  }

  /**
   * Types a JDBC failure. The pool reports a connection it could not open as a transient connection
   * failure carrying the cause's SQLState, so the credential is checked first.
   */
  private ConnectorResult.Failure failure(SQLException e, CredentialUse used) {
    Optional<ReadOnlyDataSource.PasswordUnavailableException> unavailable =
        ReadOnlyDataSource.PasswordUnavailableException.in(e);
    if (unavailable.isPresent()) {
      LOG.warn("connector {}: {}", name, unavailable.get().getMessage());
      return new ConnectorResult.Failure(
          FailureKind.CREDENTIAL_UNAVAILABLE,
          "the credential for connector " + name + " is unavailable");
    }
    if (e instanceof SQLTimeoutException) {
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_TIMEOUT,
          "database " + name + " did not answer within " + timeout.toMillis() + " ms",
          used);
    }
    String state = e.getSQLState() == null ? "unknown" : e.getSQLState();
    if (state.startsWith("28")) {
      LOG.warn("connector {}: the database refused the credential, state {}", name, state);
      return new ConnectorResult.Failure(
          FailureKind.CREDENTIAL_UNAVAILABLE,
          "the credential for connector " + name + " was refused");
    }
    if (e instanceof SQLTransientConnectionException || state.startsWith("08")) {
      LOG.warn("connector {}: the database is unreachable, state {}", name, state);
      return new ConnectorResult.Failure(
          FailureKind.UPSTREAM_UNREACHABLE, "database " + name + " is unreachable");
    }
    LOG.warn("connector {}: SQL error, state {}", name, state);
    return new ConnectorResult.Failure(
        FailureKind.UPSTREAM_ERROR,
        "database " + name + " refused the query (SQLState " + state + ")",
        used);
  }

  private static void bind(PreparedStatement st, int index, JsonNode value) throws SQLException {
    if (value.isMissingNode() || value.isNull()) {
      st.setObject(index, null);
    } else if (value.isBoolean()) {
      st.setBoolean(index, value.booleanValue());
    } else if (value.isIntegralNumber() && value.canConvertToLong()) {
      st.setLong(index, value.longValue());
    } else if (value.isNumber()) {
      st.setBigDecimal(index, value.decimalValue());
    } else if (value.isString()) {
      st.setString(index, value.asString());
    } else {
      st.setString(index, value.toString());
    }
  }

  private JsonNode rows(ResultSet rs, int limit) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    int n = meta.getColumnCount();
    ArrayNode rows = json.createArrayNode();
    boolean truncated = false;
    while (rs.next()) {
      if (rows.size() == limit) {
        truncated = true;
        break;
      }
      ObjectNode row = rows.addObject();
      for (int i = 1; i <= n; i++) {
        put(row, meta.getColumnLabel(i), rs.getObject(i));
      }
    }
    ObjectNode out = json.createObjectNode();
    out.set("rows", rows);
    out.put("truncated", truncated);
    return out;
  }

  private static void put(ObjectNode row, String key, Object value) {
    switch (value) {
      case null -> row.putNull(key);
      case Integer v -> row.put(key, v.intValue());
      case Long v -> row.put(key, v.longValue());
      case Short v -> row.put(key, v.shortValue());
      case Double v -> row.put(key, v.doubleValue());
      case Float v -> row.put(key, v.floatValue());
      case BigDecimal v -> row.put(key, v);
      case Boolean v -> row.put(key, v.booleanValue());
      default -> row.put(key, value.toString());
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
