package dev.portcullis.store;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.ArgumentsEdit;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.Decision;
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
  private static final String READ_COLUMNS =
      "invocation_id, trace_id, request_id, idempotency_key, holds_key, tenant, agent_id, agent_bundle, user_id,"
          + " user_detail, session_id, channel, tool_name, tool, descriptor_hash, arguments, arguments_digest,"
          + " context, received_at, state, decision, credential, ending, updated_at,"
          + " edited_arguments, edited_digest, edited_by, edited_at";

  private final DataSource dataSource;
  private final JsonMapper json;

  public JdbcInvocationStore(DataSource dataSource, JsonMapper json) {
    this.dataSource = dataSource;
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
            "SELECT "
                + READ_COLUMNS
                + " FROM invocations WHERE tenant = ? AND agent_id = ? AND idempotency_key = ? AND holds_key = 1")) {
      ps.setString(1, tenant);
      ps.setString(2, agentId);
      ps.setString(3, idempotencyKey);
      return read(c, ps).stream().findFirst();
    }
  }

  @Override
  public Optional<StoredInvocation> find(String invocationId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT " + READ_COLUMNS + " FROM invocations WHERE invocation_id = ?")) {
      ps.setString(1, invocationId);
      return read(c, ps).stream().findFirst();
    } catch (SQLException e) {
      throw unavailable("read invocation " + invocationId, e);
    }
  }

  @Override
  public List<StoredInvocation> inState(InvocationState state) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + READ_COLUMNS
                    + " FROM invocations WHERE state = ? ORDER BY received_at, invocation_id")) {
      ps.setString(1, state.name());
      return read(c, ps);
    } catch (SQLException e) {
      throw unavailable("list invocations in " + state, e);
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

  private List<StoredInvocation> read(Connection c, PreparedStatement ps) throws SQLException {
    List<StoredInvocation> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Invocation inv =
            new Invocation(
                rs.getString("invocation_id"),
                rs.getString("trace_id"),
                rs.getString("request_id"),
                rs.getString("idempotency_key"),
                new AgentRef(
                    rs.getString("agent_id"), rs.getString("tenant"), rs.getString("agent_bundle")),
                parse(rs.getString("user_detail"), UserRef.class),
                rs.getString("session_id"),
                rs.getString("channel"),
                rs.getString("tool_name"),
                parse(rs.getString("tool"), ToolRef.class),
                parseTree(rs.getString("arguments")),
                parseContext(rs.getString("context")),
                Instant.parse(rs.getString("received_at")),
                InvocationState.valueOf(rs.getString("state")),
                parse(rs.getString("decision"), Decision.class),
                parse(rs.getString("credential"), CredentialUse.class));
        String edited = rs.getString("edited_arguments");
        ArgumentsEdit edit =
            edited == null
                ? null
                : new ArgumentsEdit(
                    parseTree(edited),
                    rs.getString("edited_digest"),
                    rs.getString("edited_by"),
                    Instant.parse(rs.getString("edited_at")));
        out.add(
            new StoredInvocation(
                inv,
                rs.getString("arguments_digest"),
                rs.getInt("holds_key") == 1,
                Endings.read(json, rs.getString("ending")),
                List.of(),
                edit));
      }
    }
    List<StoredInvocation> withHistory = new ArrayList<>(out.size());
    for (StoredInvocation s : out) {
      withHistory.add(
          new StoredInvocation(
              s.invocation(),
              s.argumentsDigest(),
              s.holdsKey(),
              s.ending(),
              history(c, s),
              s.edit()));
    }
    return withHistory;
  }

  /**
   * When the call entered each state, from its audit records: RECEIVED when it was received,
   * CHECKED with its first record when that carries a decision, then the state of each record (one
   * entry per stay: votes and notes in the same state are not new states).
   */
  private static List<StateChange> history(Connection c, StoredInvocation s) throws SQLException {
    List<StateChange> out = new ArrayList<>();
    out.add(new StateChange(InvocationState.RECEIVED, s.invocation().receivedAt()));
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT state, recorded_at, decision FROM audit_log WHERE invocation_id = ? ORDER BY seq")) {
      ps.setString(1, s.invocationId());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          InvocationState state = InvocationState.valueOf(rs.getString(1));
          Instant at = Instant.parse(rs.getString(2));
          if (out.size() == 1 && rs.getString(3) != null && state != InvocationState.CHECKED) {
            out.add(new StateChange(InvocationState.CHECKED, at));
          }
          if (out.getLast().state() != state) {
            out.add(new StateChange(state, at));
          }
        }
      }
    }
    return out;
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
