package dev.portcullis.store;

import dev.portcullis.audit.AuditChain;
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
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ledger in the embedded database: each transition is the call's {@code invocations} row and
 * its {@code audit_log} record (with the one-row {@code audit_head}) in one transaction, queued on
 * the database's {@link GroupCommit} so that concurrent transitions share a commit.
 *
 * <p>Concurrency: everything a transition writes is serialised (JSON, bound values) before it joins
 * the queue; inside the group's transaction it runs three or four statements. The chain's head is
 * read inside that transaction, so the chain never forks; one gateway process owns a data directory
 * (the wiring holds a file lock on it). A move is an {@code UPDATE … WHERE state = expected}: the
 * loser of a race updates no row and writes nothing.
 *
 * <p>Failure: a transition that fails (a store error, a lost compare-and-set, a held key) is rolled
 * back alone inside its group: no row without its record, no record without its row.
 */
public final class JdbcLedger implements Ledger {
  /** SQLite's result code for a violated constraint. */
  static final int SQLITE_CONSTRAINT = 19;

  private static final String INSERT_CALL =
      "INSERT INTO invocations (invocation_id, trace_id, request_id,"
          + " idempotency_key, holds_key, tenant, agent_id, agent_bundle, user_id, user_detail, session_id, channel,"
          + " tool_name, tool, descriptor_hash, arguments, arguments_digest, context, received_at, state, decision,"
          + " credential, ending, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String MOVE_CALL =
      "UPDATE invocations SET state = ?, tool = COALESCE(?, tool),"
          + " descriptor_hash = COALESCE(?, descriptor_hash), decision = COALESCE(?, decision),"
          + " credential = COALESCE(?, credential), ending = COALESCE(?, ending), updated_at = ?,"
          + " holds_key = CASE WHEN ? = 1 THEN 0 ELSE holds_key END WHERE invocation_id = ? AND state = ?";
  private static final String EDIT_CALL =
      "UPDATE invocations SET edited_arguments = ?, edited_digest = ?,"
          + " edited_by = ?, edited_at = ?, updated_at = ? WHERE invocation_id = ? AND state = 'AWAITING_APPROVAL'";
  private static final String INSERT_RECORD =
      "INSERT INTO audit_log (seq, recorded_at, invocation_id, trace_id, request_id, tenant, agent_id,"
          + " user_id, session_id, channel, tool_name, tool_version, descriptor_hash, arguments,"
          + " arguments_digest, state, decision, reasons, error_kind, error_detail, duration_ms,"
          + " config_hash, policy_version, shadows, user_detail, context, filtered, credential, prev_hash,"
          + " hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String READ_HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1";
  private static final String MOVE_HEAD =
      "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"
          + " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash";

  private final GroupCommit writes;
  private final JdbcInvocationStore calls;
  private final JsonMapper json;

  public JdbcLedger(GroupCommit writes, JsonMapper json) {
    this.writes = writes;
    this.calls = new JdbcInvocationStore(writes.dataSource(), json);
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
    return result(done);
  }

  /** A transition with every value it binds already serialised, ready for {@link #apply}. */
  record Prepared(Transition t, List<Object> row, String reasons) {}

  /** Serialises what {@code t} writes, outside any transaction. */
  Prepared prepare(Transition t) {
    Invocation f = t.facts();
    List<Object> row =
        switch (t.kind()) {
          case OPEN ->
              Arrays.asList(
                  f.invocationId(),
                  f.traceId(),
                  f.requestId(),
                  f.idempotencyKey(),
                  t.claimsKey() ? 1 : 0,
                  f.tenant(),
                  f.agent().id(),
                  f.agent().bundleVersion(),
                  f.user() == null ? null : f.user().id(),
                  write(f.user()),
                  f.sessionId(),
                  f.channel(),
                  f.toolName(),
                  write(f.tool()),
                  f.tool() == null ? null : f.tool().descriptorHash(),
                  arguments(t),
                  t.argumentsDigest(),
                  json.writeValueAsString(new TreeMap<>(f.policyContext())),
                  f.receivedAt().toString(),
                  t.to().name(),
                  write(f.decision()),
                  write(f.credential()),
                  Endings.write(json, t.ending()),
                  t.record().recordedAt().toString());
          case MOVE ->
              Arrays.asList(
                  t.to().name(),
                  write(f.tool()),
                  f.tool() == null ? null : f.tool().descriptorHash(),
                  write(f.decision()),
                  write(f.credential()),
                  Endings.write(json, t.ending()),
                  t.record().recordedAt().toString(),
                  t.releasesKey() ? 1 : 0,
                  f.invocationId(),
                  t.from().name());
          case EDIT ->
              Arrays.asList(
                  json.writeValueAsString(t.edit().arguments()),
                  t.edit().digest(),
                  t.edit().editedBy(),
                  t.edit().at().toString(),
                  t.record().recordedAt().toString(),
                  f.invocationId());
          case NOTE -> List.of();
        };
    return new Prepared(t, row, json.writeValueAsString(t.record().reasons()));
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
        try {
          PreparedStatement ps = writes.statement(c, INSERT_CALL);
          bind(ps, p.row());
          ps.executeUpdate();
        } catch (SQLException e) {
          if (!t.claimsKey() || e.getErrorCode() != SQLITE_CONSTRAINT) {
            throw e;
          }
          Invocation f = t.facts();
          return calls
              .keyHolder(c, f.tenant(), f.agent().id(), f.idempotencyKey())
              .<Object>map(Written.KeyHeld::new)
              .orElseThrow(() -> e);
        }
      }
      case MOVE, EDIT -> {
        PreparedStatement ps =
            writes.statement(c, t.kind() == Transition.Kind.MOVE ? MOVE_CALL : EDIT_CALL);
        bind(ps, p.row());
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
        Optional<InvocationState> now = JdbcInvocationStore.state(c, t.record().invocationId());
        if (now.isPresent() && !now.get().name().equals(t.record().state())) {
          return append(c, inState(t.record(), now.get()), p.reasons());
        }
      }
    }
    return append(c, t.record(), p.reasons());
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

  private AuditRecord append(Connection c, AuditEntry entry, String reasons) throws SQLException {
    long seq = 0;
    String prev = AuditChain.GENESIS;
    try (ResultSet rs = writes.statement(c, READ_HEAD).executeQuery()) {
      if (rs.next()) {
        seq = rs.getLong(1);
        prev = rs.getString(2);
      }
    }
    AuditRecord record = AuditChain.link(seq + 1, entry, prev);
    PreparedStatement insert = writes.statement(c, INSERT_RECORD);
    bindRecord(insert, record, reasons);
    insert.executeUpdate();
    PreparedStatement head = writes.statement(c, MOVE_HEAD);
    head.setLong(1, record.seq());
    head.setString(2, record.hash());
    head.executeUpdate();
    return record;
  }

  private static void bind(PreparedStatement ps, List<Object> values) throws SQLException {
    for (int i = 0; i < values.size(); i++) {
      ps.setObject(i + 1, values.get(i));
    }
  }

  private static void bindRecord(PreparedStatement ps, AuditRecord r, String reasons)
      throws SQLException {
    AuditEntry e = r.entry();
    int i = 1;
    ps.setLong(i++, r.seq());
    ps.setString(i++, AuditChain.timestamp(e));
    ps.setString(i++, e.invocationId());
    ps.setString(i++, e.traceId());
    ps.setString(i++, e.requestId());
    ps.setString(i++, e.tenant());
    ps.setString(i++, e.agentId());
    ps.setString(i++, e.userId());
    ps.setString(i++, e.sessionId());
    ps.setString(i++, e.channel());
    ps.setString(i++, e.toolName());
    ps.setString(i++, e.toolVersion());
    ps.setString(i++, e.descriptorHash());
    ps.setString(i++, e.arguments());
    ps.setString(i++, e.argumentsDigest());
    ps.setString(i++, e.state());
    ps.setString(i++, e.decision());
    ps.setString(i++, reasons);
    ps.setString(i++, e.errorKind());
    ps.setString(i++, e.errorDetail());
    if (e.durationMs() == null) {
      ps.setNull(i++, Types.INTEGER);
    } else {
      ps.setLong(i++, e.durationMs());
    }
    ps.setString(i++, e.configHash());
    ps.setString(i++, e.policyVersion());
    ps.setString(i++, e.shadows());
    ps.setString(i++, e.user());
    ps.setString(i++, e.context());
    ps.setString(i++, e.filtered());
    ps.setString(i++, e.credential());
    ps.setString(i++, r.prevHash());
    ps.setString(i, r.hash());
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
