package dev.portcullis.store;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.ArgumentsEdit;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.StoredInvocation.StateChange;
import dev.portcullis.invocation.ToolRef;
import dev.portcullis.invocation.UserRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the invocations the {@link JdbcLedger} writes: one row per call, its history read from its
 * audit records (the ledger stores it once, in the log).
 *
 * <p>Concurrency: reads only, on the pool's connections; a read sees the last committed group.
 */
public final class JdbcInvocationStore implements InvocationStore {
  private static final TypeReference<Map<String, String>> CONTEXT = new TypeReference<>() {};

  /**
   * A row with the shared values its ids name ({@link LedgerValues}); its columns are {@code i.}.
   */
  private static final String SELECT =
      "SELECT i.invocation_id, i.trace_id, i.request_id, i.idempotency_key, i.holds_key, i.tenant,"
          + " i.agent_id, i.agent_bundle, i.user_id, i.user_detail, i.session_id, i.channel, i.tool_name,"
          + " i.tool, i.arguments, i.arguments_digest, i.context, i.received_at, i.state, i.decision,"
          + " i.credential, i.ending, i.edited_arguments, i.edited_digest, i.edited_by, i.edited_at,"
          + " t.value AS tool_v, d.value AS decision_v, cr.value AS credential_v FROM invocations i"
          + " LEFT JOIN ledger_values t ON t.id = i.tool"
          + " LEFT JOIN ledger_values d ON d.id = i.decision"
          + " LEFT JOIN ledger_values cr ON cr.id = i.credential";

  private final DataSource dataSource;
  private final Dialect dialect;
  private final JsonMapper json;

  public JdbcInvocationStore(Database database, JsonMapper json) {
    this(database.dataSource(), database.dialect(), json);
  }

  public JdbcInvocationStore(DataSource dataSource, Dialect dialect, JsonMapper json) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.json = json;
  }

  @Override
  public Optional<StoredInvocation> keyHolder(String tenant, String agentId, String idempotencyKey)
      throws StoreException {
    try (Connection c = dataSource.getConnection()) {
      return keyHolder(c, tenant, agentId, idempotencyKey);
    } catch (SQLException e) {
      throw unavailable("read the holder of an idempotency key", e);
    }
  }

  /**
   * The call holding {@code idempotencyKey} for {@code tenant} and {@code agentId}, read on {@code
   * c}.
   */
  Optional<StoredInvocation> keyHolder(
      Connection c, String tenant, String agentId, String idempotencyKey) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            SELECT
                + " WHERE i.tenant = ? AND i.agent_id = ? AND i.idempotency_key = ? AND i.holds_key = 1")) {
      ps.setString(1, tenant);
      ps.setString(2, agentId);
      ps.setString(3, idempotencyKey);
      return read(c, ps).stream().findFirst();
    }
  }

  @Override
  public Optional<StoredInvocation> find(String invocationId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT + " WHERE i.invocation_id = ?")) {
      ps.setString(1, invocationId);
      return read(c, ps).stream().findFirst();
    } catch (SQLException e) {
      throw unavailable("read invocation " + invocationId, e);
    }
  }

  @Override
  public List<StoredInvocation> inState(InvocationState state) throws StoreException {
    return inState(state, "", null, "list invocations in " + state);
  }

  @Override
  public List<StoredInvocation> orphaned(InvocationState state, Instant now) throws StoreException {
    if (dialect == Dialect.SQLITE) {
      return inState(state); // one gateway owns the data directory: every call is its own
    }
    return inState(
        state,
        " AND (i.node IS NULL OR NOT EXISTS (SELECT 1 FROM gateway_nodes g"
            + " WHERE g.node = i.node AND g.lease_until >= ?))",
        now.toEpochMilli(),
        "list the invocations in " + state + " that no live node runs");
  }

  /**
   * The calls in {@code state} that also meet {@code andWhere} (binding {@code leaseAt} when not
   * null), oldest first. The state is a literal (an enum's name), so that SQLite can use the index
   * of calls that have not ended (V15), which holds only those states.
   */
  private List<StoredInvocation> inState(
      InvocationState state, String andWhere, Long leaseAt, String what) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                SELECT
                    + " WHERE i.state = '"
                    + state.name()
                    + "'"
                    + andWhere
                    + " ORDER BY i.received_at, i.invocation_id")) {
      if (leaseAt != null) {
        ps.setLong(1, leaseAt);
      }
      return read(c, ps);
    } catch (SQLException e) {
      throw unavailable(what, e);
    }
  }

  static Optional<InvocationState> state(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT state FROM invocations WHERE invocation_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(InvocationState.valueOf(rs.getString(1))) : Optional.empty();
      }
    }
  }

  /** A row as read, before its history (and, when the row leaves them to it, its arguments). */
  private record Row(
      String id,
      String traceId,
      String requestId,
      String idempotencyKey,
      AgentRef agent,
      UserRef user,
      String sessionId,
      String channel,
      String toolName,
      ToolRef tool,
      String arguments,
      String digest,
      Map<String, String> context,
      Instant receivedAt,
      InvocationState state,
      Decision decision,
      CredentialUse credential,
      boolean holdsKey,
      Ending ending,
      ArgumentsEdit edit) {}

  private List<StoredInvocation> read(Connection c, PreparedStatement ps) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String edited = rs.getString("edited_arguments");
        rows.add(
            new Row(
                rs.getString("invocation_id"),
                Packed.text(rs.getObject("trace_id")),
                rs.getString("request_id"),
                rs.getString("idempotency_key"),
                new AgentRef(
                    rs.getString("agent_id"), rs.getString("tenant"), rs.getString("agent_bundle")),
                parse(rs.getString("user_detail"), UserRef.class),
                Packed.text(rs.getObject("session_id")),
                rs.getString("channel"),
                rs.getString("tool_name"),
                parse(shared(rs, "tool"), ToolRef.class),
                rs.getString("arguments"),
                Packed.text(rs.getObject("arguments_digest")),
                parseContext(rs.getString("context")),
                Packed.ofNanos(rs.getLong("received_at")),
                InvocationState.valueOf(rs.getString("state")),
                parse(shared(rs, "decision"), Decision.class),
                parse(shared(rs, "credential"), CredentialUse.class),
                rs.getInt("holds_key") == 1,
                Endings.read(json, rs.getString("ending")),
                edited == null
                    ? null
                    : new ArgumentsEdit(
                        parseTree(edited),
                        rs.getString("edited_digest"),
                        rs.getString("edited_by"),
                        Instant.parse(rs.getString("edited_at")))));
      }
    }
    List<StoredInvocation> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(withRecords(c, r));
    }
    return out;
  }

  /**
   * The stored call of row {@code r}, with when it entered each state, from its audit records:
   * RECEIVED when it was received, CHECKED with its first record when that carries a decision, then
   * the state of each record (one entry per stay: votes and notes in the same state are not new
   * states). A row that leaves its arguments to its records (see {@code JdbcLedger}) takes them,
   * and their digest, from its first record that holds them.
   */
  private StoredInvocation withRecords(Connection c, Row r) throws SQLException {
    List<StateChange> history = new ArrayList<>();
    history.add(new StateChange(InvocationState.RECEIVED, r.receivedAt()));
    String arguments = r.arguments();
    String digest = r.digest();
    String traceId = r.traceId();
    String requestId = r.requestId();
    String sessionId = r.sessionId();
    boolean idsInRecord = traceId == null;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT state, recorded_at, decision, arguments, arguments_digest, trace_id,"
                + " request_id, session_id FROM audit_log WHERE invocation_id = ? ORDER BY seq")) {
      ps.setObject(1, dialect.id(r.id()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (idsInRecord && traceId == null) {
            traceId = Packed.text(rs.getObject(6));
            requestId = rs.getString(7);
            sessionId = Packed.text(rs.getObject(8));
          }
          InvocationState state = InvocationState.valueOf(rs.getString(1));
          Instant at = Instant.ofEpochMilli(rs.getLong(2));
          if (history.size() == 1 && rs.getString(3) != null && state != InvocationState.CHECKED) {
            history.add(new StateChange(InvocationState.CHECKED, at));
          }
          if (history.getLast().state() != state) {
            history.add(new StateChange(state, at));
          }
          if (arguments == null && rs.getString(4) != null) {
            arguments = rs.getString(4);
            digest = Packed.text(rs.getObject(5));
          }
        }
      }
    }
    if (arguments == null || digest == null || traceId == null) {
      throw new SQLException(
          "the arguments or ids of invocation "
              + r.id()
              + " are neither in its row nor in its records");
    }
    Invocation inv =
        new Invocation(
            r.id(),
            traceId,
            requestId,
            r.idempotencyKey(),
            r.agent(),
            r.user(),
            sessionId,
            r.channel(),
            r.toolName(),
            r.tool(),
            parseTree(arguments),
            r.context(),
            r.receivedAt(),
            r.state(),
            r.decision(),
            r.credential());
    return new StoredInvocation(inv, digest, r.holdsKey(), r.ending(), history, r.edit());
  }

  private static String shared(ResultSet rs, String column) throws SQLException {
    return LedgerValues.value(rs.getObject(column), rs.getString(column + "_v"));
  }

  private <T> T parse(String text, Class<T> type) throws SQLException {
    if (text == null) {
      return null;
    }
    try {
      return json.readValue(text, type);
    } catch (JacksonException e) {
      throw new SQLException(
          "a stored " + type.getSimpleName() + " is not readable: " + e.getOriginalMessage(), e);
    }
  }

  private JsonNode parseTree(String text) throws SQLException {
    try {
      return json.readTree(text);
    } catch (JacksonException e) {
      throw new SQLException("stored arguments are not JSON: " + e.getOriginalMessage(), e);
    }
  }

  private Map<String, String> parseContext(String text) throws SQLException {
    try {
      return json.readValue(text, CONTEXT);
    } catch (JacksonException e) {
      throw new SQLException(
          "a stored policy context is not readable: " + e.getOriginalMessage(), e);
    }
  }

  private static StoreException unavailable(String what, SQLException e) {
    return new StoreException("cannot " + what + " in the invocation store: " + e.getMessage(), e);
  }
}
