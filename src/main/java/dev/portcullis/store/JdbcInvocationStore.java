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
import java.util.TreeMap;
import javax.sql.DataSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The invocation store in the embedded database: one row per call plus its state history.
 *
 * <p>Concurrency: {@link #move} is a single {@code UPDATE … WHERE state = expected} (the
 * compare-and-set) followed by the history rows, in one transaction; the database's one writer
 * serialises racing transactions and the loser updates no row. The idempotency key is claimed by
 * a partial unique index, so two calls racing with one key cannot both hold it.
 */
public final class JdbcInvocationStore implements InvocationStore {
  private static final TypeReference<Map<String, String>> CONTEXT = new TypeReference<>() {};
  private static final String COLUMNS =
      "invocation_id, trace_id, request_id, idempotency_key, holds_key, tenant, agent_id, agent_bundle, user_id,"
          + " user_detail, session_id, channel, tool_name, tool, descriptor_hash, arguments, arguments_digest,"
          + " context, received_at, state, decision, credential, ending, updated_at";
  /** What a read selects: the recorded columns and an approver's edit of the arguments (V9). */
  private static final String READ_COLUMNS = COLUMNS + ", edited_arguments, edited_digest, edited_by, edited_at";
  /** SQLite's result code for a violated constraint. */
  private static final int SQLITE_CONSTRAINT = 19;

  private final GroupCommit writes;
  private final DataSource dataSource;
  private final JsonMapper json;

  /** A store whose writes share {@code writes}' transactions with the other stores'. */
  public JdbcInvocationStore(GroupCommit writes, JsonMapper json) {
    this.writes = writes;
    this.dataSource = writes.dataSource();
    this.json = json;
  }

  public JdbcInvocationStore(DataSource dataSource, JsonMapper json) {
    this(new GroupCommit(dataSource), json);
  }

  @Override
  public Begun begin(Invocation received, String argumentsDigest) throws StoreException {
    boolean keyed = received.idempotencyKey() != null;
    try {
      return new Begun.Started(insert(received, argumentsDigest, keyed));
    } catch (SQLException e) {
      if (!keyed || e.getErrorCode() != SQLITE_CONSTRAINT) {
        throw unavailable("record invocation " + received.invocationId(), e);
      }
    }
    String sql = "SELECT " + READ_COLUMNS + " FROM invocations WHERE tenant = ? AND agent_id = ? AND idempotency_key = ?"
        + " AND holds_key = 1";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, received.tenant());
      ps.setString(2, received.agent().id());
      ps.setString(3, received.idempotencyKey());
      List<StoredInvocation> found = read(c, ps);
      if (found.isEmpty()) {
        throw new StoreException("idempotency key of invocation " + received.invocationId()
            + " is held, but its holder cannot be found");
      }
      return new Begun.KeyHeld(found.getFirst());
    } catch (SQLException e) {
      throw unavailable("read the holder of an idempotency key", e);
    }
  }

  @Override
  public StoredInvocation record(Invocation received, String argumentsDigest) throws StoreException {
    try {
      return insert(received, argumentsDigest, false);
    } catch (SQLException e) {
      throw unavailable("record invocation " + received.invocationId(), e);
    }
  }

  private StoredInvocation insert(Invocation inv, String digest, boolean holdsKey) throws SQLException {
    if (inv.state() != InvocationState.RECEIVED) {
      throw new IllegalStateException(
          "invocation " + inv.invocationId() + " is " + inv.state() + "; only a RECEIVED call can be recorded");
    }
    String sql = "INSERT INTO invocations (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    // Every value bound before the write joins a group: the group's transaction holds the one write lock.
    List<Object> values = java.util.Arrays.asList(
        inv.invocationId(), inv.traceId(), inv.requestId(), inv.idempotencyKey(), holdsKey ? 1 : 0, inv.tenant(),
        inv.agent().id(), inv.agent().bundleVersion(), inv.user() == null ? null : inv.user().id(), write(inv.user()),
        inv.sessionId(), inv.channel(), inv.toolName(), write(inv.tool()),
        inv.tool() == null ? null : inv.tool().descriptorHash(), json.writeValueAsString(inv.arguments()), digest,
        json.writeValueAsString(new TreeMap<>(inv.policyContext())), inv.receivedAt().toString(), inv.state().name(),
        write(inv.decision()), write(inv.credential()), null, inv.receivedAt().toString());
    writes.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < values.size(); i++) {
          ps.setObject(i + 1, values.get(i));
        }
        ps.executeUpdate();
      }
      history(c, inv.invocationId(), List.of(InvocationState.RECEIVED), inv.receivedAt());
      return null;
    });
    return new StoredInvocation(inv, digest, holdsKey, null,
        List.of(new StateChange(InvocationState.RECEIVED, inv.receivedAt())));
  }

  @Override
  public void advance(
      Invocation facts, InvocationState expected, List<InvocationState> path, Ending ending, Instant at)
      throws StoreException {
    String id = facts.invocationId();
    if (path.isEmpty()) {
      throw new IllegalArgumentException("a move of invocation " + id + " needs at least one state");
    }
    InvocationState from = expected;
    for (InvocationState to : path) {
      if (!from.canMoveTo(to)) {
        throw new IllegalStateException("invocation " + id + " cannot move from " + from + " to " + to);
      }
      from = to;
    }
    String sql = "UPDATE invocations SET state = ?, tool = COALESCE(?, tool), descriptor_hash = COALESCE(?, descriptor_hash),"
        + " decision = COALESCE(?, decision), credential = COALESCE(?, credential), ending = COALESCE(?, ending),"
        + " updated_at = ? WHERE invocation_id = ? AND state = ?";
    // Serialised before the write joins a group: the group's transaction holds the one write lock.
    String tool = write(facts.tool());
    String decision = write(facts.decision());
    String credential = write(facts.credential());
    String endingJson = ending == null ? null : writeEnding(ending);
    Optional<String> conflict;
    try {
      conflict = writes.write(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          int i = 1;
          ps.setString(i++, path.getLast().name());
          ps.setString(i++, tool);
          ps.setString(i++, facts.tool() == null ? null : facts.tool().descriptorHash());
          ps.setString(i++, decision);
          ps.setString(i++, credential);
          ps.setString(i++, endingJson);
          ps.setString(i++, at.toString());
          ps.setString(i++, id);
          ps.setString(i, expected.name());
          if (ps.executeUpdate() == 0) {
            return Optional.of(state(c, id)
                .map(now -> "invocation " + id + " is " + now + ", not " + expected + "; another writer moved it")
                .orElse("no invocation " + id + " is recorded"));
          }
        }
        history(c, id, path, at);
        return Optional.empty();
      });
    } catch (SQLException e) {
      throw unavailable("move invocation " + id + " to " + path.getLast(), e);
    }
    if (conflict.isPresent()) {
      throw new StateConflictException(conflict.get());
    }
  }

  @Override
  public Optional<StoredInvocation> find(String invocationId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + READ_COLUMNS + " FROM invocations WHERE invocation_id = ?")) {
      ps.setString(1, invocationId);
      return read(c, ps).stream().findFirst();
    } catch (SQLException e) {
      throw unavailable("read invocation " + invocationId, e);
    }
  }

  @Override
  public List<StoredInvocation> inState(InvocationState state) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT " + READ_COLUMNS + " FROM invocations WHERE state = ? ORDER BY received_at, invocation_id")) {
      ps.setString(1, state.name());
      return read(c, ps);
    } catch (SQLException e) {
      throw unavailable("list invocations in " + state, e);
    }
  }

  private static Optional<InvocationState> state(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT state FROM invocations WHERE invocation_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(InvocationState.valueOf(rs.getString(1))) : Optional.empty();
      }
    }
  }

  private static void history(Connection c, String id, List<InvocationState> path, Instant at) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO invocation_history (invocation_id, seq, state, at) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?"
            + " FROM invocation_history WHERE invocation_id = ?")) {
      for (InvocationState s : path) {
        ps.setString(1, id);
        ps.setString(2, s.name());
        ps.setString(3, at.toString());
        ps.setString(4, id);
        ps.executeUpdate();
      }
    }
  }

  private List<StoredInvocation> read(Connection c, PreparedStatement ps) throws SQLException {
    List<StoredInvocation> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Invocation inv = new Invocation(
            rs.getString("invocation_id"),
            rs.getString("trace_id"),
            rs.getString("request_id"),
            rs.getString("idempotency_key"),
            new AgentRef(rs.getString("agent_id"), rs.getString("tenant"), rs.getString("agent_bundle")),
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
        ArgumentsEdit edit = edited == null ? null : new ArgumentsEdit(parseTree(edited), rs.getString("edited_digest"),
            rs.getString("edited_by"), Instant.parse(rs.getString("edited_at")));
        out.add(new StoredInvocation(inv, rs.getString("arguments_digest"), rs.getInt("holds_key") == 1,
            readEnding(rs.getString("ending")), List.of(), edit));
      }
    }
    List<StoredInvocation> withHistory = new ArrayList<>(out.size());
    for (StoredInvocation s : out) {
      withHistory.add(new StoredInvocation(s.invocation(), s.argumentsDigest(), s.holdsKey(), s.ending(),
          history(c, s.invocationId()), s.edit()));
    }
    return withHistory;
  }

  private static List<StateChange> history(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT state, at FROM invocation_history WHERE invocation_id = ? ORDER BY seq")) {
      ps.setString(1, id);
      List<StateChange> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new StateChange(InvocationState.valueOf(rs.getString(1)), Instant.parse(rs.getString(2))));
        }
      }
      return out;
    }
  }

  /** An ending as JSON with only the members it has: a JSON null result stays a result. */
  private String writeEnding(Ending e) {
    ObjectNode n = json.createObjectNode();
    if (e.kind() != null) {
      n.put("kind", e.kind());
    }
    if (e.detail() != null) {
      n.put("detail", e.detail());
    }
    ArrayNode reasons = n.putArray("reasons");
    e.reasons().forEach(reasons::add);
    if (e.result() != null) {
      n.set("result", e.result());
    }
    return json.writeValueAsString(n);
  }

  private Ending readEnding(String text) throws SQLException {
    if (text == null) {
      return null;
    }
    JsonNode n = parseTree(text);
    List<String> reasons = new ArrayList<>();
    n.path("reasons").forEach(r -> reasons.add(r.asString()));
    return new Ending(
        n.has("kind") ? n.get("kind").asString() : null,
        n.has("detail") ? n.get("detail").asString() : null,
        reasons,
        n.has("result") ? n.get("result") : null);
  }

  private String write(Object value) {
    return value == null ? null : json.writeValueAsString(value);
  }

  private <T> T parse(String text, Class<T> type) throws SQLException {
    if (text == null) {
      return null;
    }
    try {
      return json.readValue(text, type);
    } catch (JacksonException e) {
      throw new SQLException("a stored " + type.getSimpleName() + " is not readable: " + e.getOriginalMessage(), e);
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
      throw new SQLException("a stored policy context is not readable: " + e.getOriginalMessage(), e);
    }
  }

  private static StoreException unavailable(String what, SQLException e) {
    return new StoreException("cannot " + what + " in the invocation store: " + e.getMessage(), e);
  }
}
