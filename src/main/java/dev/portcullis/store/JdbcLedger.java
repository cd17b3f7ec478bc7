package dev.portcullis.store;

import dev.portcullis.audit.AuditRecord;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore.StateConflictException;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Transition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ledger in the embedded database: each transition is the call's {@code invocations} row and
 * its {@code audit_log} record (with the one-row {@code audit_head}) in one transaction, queued on
 * the database's {@link GroupCommit} so that concurrent transitions share a commit.
 *
 * <p>Concurrency: everything a transition writes is serialised (JSON, bound values) before it joins
 * the queue; inside the group's transaction it runs two statements (the row, the record), and the
 * group reads and writes the chain's head once for all its transitions ({@link ChainHead}). The
 * head is read inside that transaction, so the chain never forks: on SQLite one gateway process
 * owns a data directory (the wiring holds a file lock on it); on PostgreSQL each group first locks
 * the head ({@link Dialect#groupBegins}). A move is an {@code UPDATE … WHERE state = expected}: the
 * loser of a race updates no row and writes nothing.
 *
 * <p>Failure: a transition that fails (a store error, a lost compare-and-set, a held key) is rolled
 * back alone inside its group: no row without its record, no record without its row.
 */
public final class JdbcLedger implements Ledger {
  private static final String INSERT_CALL =
      "INSERT INTO invocations (invocation_id, trace_id, request_id,"
          + " idempotency_key, holds_key, tenant, agent_id, agent_bundle, user_id, user_detail, session_id, channel,"
          + " tool_name, tool, arguments, arguments_digest, context, received_at, state, decision,"
          + " credential, ending, updated_at, node) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String MOVE_CALL =
      "UPDATE invocations SET state = ?, tool = COALESCE(?, tool), decision = COALESCE(?, decision),"
          + " credential = COALESCE(?, credential), ending = COALESCE(?, ending), updated_at = ?,"
          + " holds_key = CASE WHEN ? = 1 THEN 0 ELSE holds_key END, node = COALESCE(?, node)"
          + " WHERE invocation_id = ? AND state = ?";
  private static final String EDIT_CALL =
      "UPDATE invocations SET edited_arguments = ?, edited_digest = ?,"
          + " edited_by = ?, edited_at = ?, updated_at = ? WHERE invocation_id = ? AND state = 'AWAITING_APPROVAL'";
  private static final String INSERT_RECORD =
      "INSERT INTO audit_log (seq, recorded_at, invocation_id, trace_id, request_id, tenant, agent_id,"
          + " user_id, session_id, channel, tool_name, tool_version, descriptor_hash, arguments,"
          + " arguments_digest, state, decision, reasons, error_kind, error_detail, duration_ms,"
          + " config_hash, policy_version, shadows, user_detail, context, filtered, credential,"
          + " hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String INSERT_VALUE =
      "INSERT INTO ledger_values (value) VALUES (?) ON CONFLICT (value) DO NOTHING";
  private static final String READ_VALUE = "SELECT id FROM ledger_values WHERE value = ?";
  private static final String INSERT_VALUE_BY_DIGEST =
      "INSERT INTO ledger_values (value, digest) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING";
  private static final String READ_VALUE_BY_DIGEST =
      "SELECT id FROM ledger_values WHERE digest = ?";

  /**
   * A call that claims its idempotency key: a key held already inserts nothing (and fails nothing,
   * so no savepoint is needed around it: PostgreSQL refuses every statement after a failed one).
   */
  private static final String CLAIM_CALL =
      INSERT_CALL
          + " ON CONFLICT (tenant, agent_id, idempotency_key) WHERE holds_key = 1 DO NOTHING";

  private final GroupCommit writes;
  private final Dialect dialect;

  /** This node's name, written on the calls it opens or moves; null on a store one node owns. */
  private final String node;

  private final JdbcInvocationStore calls;
  private final JsonMapper json;
  private final LedgerValues values = new LedgerValues();

  /** The most serialised shared values kept ({@link #shared(Object)}); past it, it starts again. */
  private static final int MAX_TEXTS = 1024;

  private final Map<Object, String> texts = new java.util.concurrent.ConcurrentHashMap<>();

  public JdbcLedger(Database database, JsonMapper json) {
    this(database.writes(), database.dialect(), database.node(), json);
  }

  /** A ledger on a queue of its own (the benchmarks compare queues), on a store one node owns. */
  public JdbcLedger(GroupCommit writes, Dialect dialect, JsonMapper json) {
    this(writes, dialect, null, json);
  }

  private JdbcLedger(GroupCommit writes, Dialect dialect, String node, JsonMapper json) {
    this.writes = writes;
    this.dialect = dialect;
    this.node = node;
    this.calls = new JdbcInvocationStore(writes.dataSource(), dialect, json);
    this.json = json;
  }

  /**
   * The queue this ledger's transactions join; a store that writes with a transition joins it too.
   */
  GroupCommit writes() {
    return writes;
  }

  @Override
  public Written write(Transition t) throws StoreException {
    Prepared p = prepare(t);
    Object done;
    try {
      done = writes.write(c -> apply(c, p));
    } catch (SQLException e) {
      throw new StoreException("cannot write " + what(t) + " to the ledger: " + e.getMessage(), e);
    }
    committed(p);
    return result(done);
  }

  /**
   * A transition with every value it binds already serialised, ready for {@link #apply}: the row's
   * values ({@link Shared} for those stored by id), the record as it is written, and the ids of
   * shared values it looked up, kept in memory once its transaction has committed.
   */
  record Prepared(
      Transition t, List<Object> row, AuditEntry record, String reasons, Map<String, Long> fresh) {}

  /** A value of the row stored by its id in {@code ledger_values} ({@link LedgerValues}). */
  private record Shared(String value) {}

  /** Called once {@code p}'s transaction has committed: its shared values' ids are good to keep. */
  void committed(Prepared p) {
    values.remember(p.fresh());
  }

  /** Serialises what {@code t} writes, outside any transaction. */
  Prepared prepare(Transition t) {
    Invocation f = t.facts();
    List<Object> row =
        switch (t.kind()) {
          case OPEN ->
              Arrays.asList(
                  f.invocationId(),
                  idsInRecord(t) ? null : dialect.hex(f.traceId()),
                  idsInRecord(t) ? null : f.requestId(),
                  f.idempotencyKey(),
                  t.claimsKey() ? 1 : 0,
                  f.tenant(),
                  f.agent().id(),
                  f.agent().bundleVersion(),
                  f.user() == null ? null : f.user().id(),
                  write(f.user()),
                  idsInRecord(t) ? null : dialect.hex(f.sessionId()),
                  f.channel(),
                  f.toolName(),
                  shared(f.tool()),
                  inRecord(t) ? null : arguments(t),
                  inRecord(t) ? null : dialect.hex(t.argumentsDigest()),
                  json.writeValueAsString(new TreeMap<>(f.policyContext())),
                  Packed.nanos(f.receivedAt()),
                  t.to().name(),
                  shared(f.decision()),
                  shared(f.credential()),
                  Endings.write(json, t.ending()),
                  t.record().recordedAt().toEpochMilli(),
                  node);
          case MOVE ->
              Arrays.asList(
                  t.to().name(),
                  shared(f.tool()),
                  shared(f.decision()),
                  shared(f.credential()),
                  Endings.write(json, t.ending()),
                  t.record().recordedAt().toEpochMilli(),
                  t.releasesKey() ? 1 : 0,
                  node,
                  f.invocationId(),
                  t.from().name());
          case EDIT ->
              Arrays.asList(
                  json.writeValueAsString(t.edit().arguments()),
                  t.edit().digest(),
                  t.edit().editedBy(),
                  t.edit().at().toString(),
                  t.record().recordedAt().toEpochMilli(),
                  f.invocationId());
          case NOTE -> List.of();
        };
    return new Prepared(
        t, row, recorded(t), json.writeValueAsString(t.record().reasons()), new HashMap<>());
  }

  /**
   * The record as written. A call's ending after EXECUTING names its arguments by digest only: its
   * EXECUTING record, the one before the effect, holds them (the same arguments: nothing changes
   * them once a call executes), so the log keeps them once per call, not twice.
   */
  private static AuditEntry recorded(Transition t) {
    AuditEntry r = t.record();
    if (t.kind() == Transition.Kind.MOVE
        && t.from() == InvocationState.EXECUTING
        && r.arguments() != null
        && r.argumentsDigest() != null) {
      return r.toBuilder().arguments(null).build();
    }
    return r;
  }

  /**
   * {@code value} (a tool, decision or credential use: records, equal exactly when their JSON is)
   * as the shared text its column refers to. The text of a value seen before is reused: the same
   * few tools and decisions recur on every call, and serialising them again for every transition
   * only to look their id up was a share of each call's CPU.
   */
  private Shared shared(Object value) {
    if (value == null) {
      return null;
    }
    String text = texts.get(value);
    if (text == null) {
      text = json.writeValueAsString(value);
      if (texts.size() >= MAX_TEXTS) {
        texts.clear();
      }
      texts.put(value, text);
    }
    return new Shared(text);
  }

  /**
   * Whether the row of a call opened by {@code t} leaves its arguments and their digest to the
   * record {@code t} writes (read back from it by {@link JdbcInvocationStore}): when that record
   * holds them, and the call does not park. A parked call's row keeps them: approvals check its
   * stored arguments against the record that vouches for them ({@code StoredCallCheck}).
   */
  private static boolean inRecord(Transition t) {
    AuditEntry r = t.record();
    return t.to() != InvocationState.AWAITING_APPROVAL
        && r.arguments() != null
        && r.argumentsDigest() != null
        && r.argumentsDigest().equals(t.argumentsDigest());
  }

  /**
   * Whether the row of a call opened by {@code t} leaves its trace, request and session ids to the
   * record {@code t} writes, its first (read back from it by {@link JdbcInvocationStore}, which
   * knows by the row's null trace id): when that record names the same.
   */
  private static boolean idsInRecord(Transition t) {
    AuditEntry r = t.record();
    Invocation f = t.facts();
    return f.traceId().equals(r.traceId())
        && Objects.equals(f.requestId(), r.requestId())
        && Objects.equals(f.sessionId(), r.sessionId());
  }

  /**
   * The call's arguments as JSON: as its record already holds them when the record's digest is the
   * call's (the same serialisation), else serialised here.
   */
  private String arguments(Transition t) {
    AuditEntry r = t.record();
    return r.arguments() != null && r.argumentsDigest().equals(t.argumentsDigest())
        ? r.arguments()
        : json.writeValueAsString(t.facts().arguments());
  }

  /**
   * Writes {@code p} on {@code c}, inside a transaction someone else commits (the group's, or a
   * store's that writes something of its own in the same transaction). Returns the record written,
   * a {@link Written.KeyHeld}, or a {@link Conflict}; writes nothing in the last two cases.
   */
  Object apply(Connection c, Prepared p) throws SQLException {
    Transition t = p.t();
    switch (t.kind()) {
      case OPEN -> {
        PreparedStatement ps = writes.statement(c, t.claimsKey() ? CLAIM_CALL : INSERT_CALL);
        bind(c, ps, p);
        if (ps.executeUpdate() == 0) {
          // the key is held: by the call that holds it now, unless that one let it go meanwhile
          Invocation f = t.facts();
          return calls
              .keyHolder(c, f.tenant(), f.agent().id(), f.idempotencyKey())
              .<Object>map(Written.KeyHeld::new)
              .orElseThrow(
                  () ->
                      new SQLException(
                          "the idempotency key of invocation "
                              + f.invocationId()
                              + " was held, and released before its holder could be read",
                          "23505"));
        }
      }
      case MOVE, EDIT -> {
        PreparedStatement ps =
            writes.statement(c, t.kind() == Transition.Kind.MOVE ? MOVE_CALL : EDIT_CALL);
        bind(c, ps, p);
        if (ps.executeUpdate() == 0) {
          String id = t.facts().invocationId();
          return new Conflict(
              JdbcInvocationStore.state(c, id)
                  .map(
                      now ->
                          "invocation "
                              + id
                              + " is "
                              + now
                              + ", not "
                              + t.from()
                              + "; another writer moved it")
                  .orElse("no invocation " + id + " is recorded"));
        }
      }
      case NOTE -> {
        // A note says what happened to a call in the state the call is in when it is written: a
        // notification delivered after the call moved on is recorded in the state it moved to.
        Optional<InvocationState> now = JdbcInvocationStore.state(c, p.record().invocationId());
        if (now.isPresent() && !now.get().name().equals(p.record().state())) {
          return append(c, inState(p.record(), now.get()), p);
        }
      }
    }
    return append(c, p.record(), p);
  }

  private static AuditEntry inState(AuditEntry e, InvocationState state) {
    return e.toBuilder().state(state.name()).build();
  }

  /** What {@link #apply} returned, as the ledger answers it. */
  static Written result(Object applied) throws StateConflictException {
    return switch (applied) {
      case AuditRecord r -> new Written.Done();
      case Written.KeyHeld held -> held;
      case Conflict conflict -> throw new StateConflictException(conflict.message());
      default -> throw new IllegalStateException("unexpected ledger result " + applied);
    };
  }

  /** A move that found the call elsewhere; nothing was written. */
  record Conflict(String message) {}

  /**
   * Appends {@code entry} to the chain after the group's head ({@link ChainHead}: read once per
   * group, written back once before the group commits).
   */
  private AuditRecord append(Connection c, AuditEntry entry, Prepared p) throws SQLException {
    ChainHead head = writes.head(c);
    AuditRecord record = head.next(writes, c, entry);
    PreparedStatement insert = writes.statement(c, INSERT_RECORD);
    bindRecord(c, insert, record, p);
    insert.executeUpdate();
    head.advance(record);
    return record;
  }

  private void bind(Connection c, PreparedStatement ps, Prepared p) throws SQLException {
    List<Object> row = p.row();
    for (int i = 0; i < row.size(); i++) {
      Object v = row.get(i);
      ps.setObject(i + 1, v instanceof Shared s ? shared(c, s.value(), p) : v);
    }
  }

  /**
   * What a column stores for shared {@code value} ({@link LedgerValues}): null, its id, or the
   * value itself when it is too long to share. An id looked up here is kept in {@code p}, and in
   * memory once {@code p}'s transaction has committed ({@link #committed}).
   */
  private Object shared(Connection c, String value, Prepared p) throws SQLException {
    if (value == null || value.length() > dialect.maxShared()) {
      return value;
    }
    Long id = values.known(value);
    if (id != null) {
      return id;
    }
    Object key = dialect.valueKey(value);
    boolean byDigest = key instanceof byte[];
    PreparedStatement insert =
        writes.statement(c, byDigest ? INSERT_VALUE_BY_DIGEST : INSERT_VALUE);
    insert.setString(1, value);
    if (byDigest) {
      insert.setObject(2, key);
    }
    insert.executeUpdate();
    PreparedStatement select = writes.statement(c, byDigest ? READ_VALUE_BY_DIGEST : READ_VALUE);
    select.setObject(1, key);
    try (ResultSet rs = select.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("a shared ledger value is missing right after its insert");
      }
      id = rs.getLong(1);
    }
    p.fresh().put(value, id);
    return id;
  }

  /**
   * Binds the record compactly (see V15): times as integers, hex as bytes, repeated values by id,
   * no previous hash (the verifier has it: the hash of the record before).
   */
  private void bindRecord(Connection c, PreparedStatement ps, AuditRecord r, Prepared p)
      throws SQLException {
    AuditEntry e = r.entry();
    int i = 1;
    ps.setLong(i++, r.seq());
    ps.setLong(i++, e.recordedAt().toEpochMilli());
    ps.setObject(i++, dialect.id(e.invocationId()));
    ps.setObject(i++, dialect.hex(e.traceId()));
    ps.setString(i++, e.requestId());
    ps.setObject(i++, shared(c, e.tenant(), p));
    ps.setObject(i++, shared(c, e.agentId(), p));
    ps.setString(i++, e.userId());
    ps.setObject(i++, dialect.hex(e.sessionId()));
    ps.setObject(i++, shared(c, e.channel(), p));
    ps.setObject(i++, shared(c, e.toolName(), p));
    ps.setString(i++, e.toolVersion());
    ps.setObject(i++, shared(c, e.descriptorHash(), p));
    ps.setString(i++, e.arguments());
    ps.setObject(i++, dialect.hex(e.argumentsDigest()));
    ps.setString(i++, e.state());
    ps.setString(i++, e.decision());
    ps.setObject(i++, shared(c, p.reasons(), p));
    ps.setString(i++, e.errorKind());
    ps.setString(i++, e.errorDetail());
    if (e.durationMs() == null) {
      ps.setNull(i++, Types.INTEGER);
    } else {
      ps.setLong(i++, e.durationMs());
    }
    ps.setObject(i++, shared(c, e.configHash(), p));
    ps.setObject(i++, shared(c, e.policyVersion(), p));
    ps.setObject(i++, shared(c, e.shadows(), p));
    ps.setString(i++, e.user());
    ps.setString(i++, e.context());
    ps.setObject(i++, shared(c, e.filtered(), p));
    ps.setObject(i++, shared(c, e.credential(), p));
    ps.setObject(i, dialect.hex(r.hash()));
  }

  private String write(Object value) {
    return value == null ? null : json.writeValueAsString(value);
  }

  private static String what(Transition t) {
    return switch (t.kind()) {
      case OPEN -> "invocation " + t.facts().invocationId() + " (" + t.to() + ")";
      case MOVE -> "the move of invocation " + t.facts().invocationId() + " to " + t.to();
      case EDIT -> "the edit of invocation " + t.facts().invocationId();
      case NOTE -> "a record of invocation " + t.record().invocationId();
    };
  }
}
