package dev.portcullis.store;

import dev.portcullis.audit.AuditChain;
import dev.portcullis.audit.AuditEntry;
import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit log in a relational database: one row per record plus a one-row head, written in the
 * same transaction.
 *
 * <p>Concurrency: group commit ({@link GroupCommit}). Concurrent appends, and the other stores'
 * writes on the same database, share one transaction (one fsync); every caller returns only once
 * its own record is durable. The head is read inside that transaction, so the chain never forks.
 * One gateway process owns a data directory (the wiring holds a file lock on it).
 *
 * <p>Failure: an append that fails is rolled back alone and fails with
 * {@link AuditUnavailableException}; nothing is half-written.
 */
public final class JdbcAuditLog implements AuditLog {
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final String INSERT =
      "INSERT INTO audit_log (seq, recorded_at, invocation_id, trace_id, request_id, tenant, agent_id,"
          + " user_id, session_id, channel, tool_name, tool_version, descriptor_hash, arguments,"
          + " arguments_digest, state, decision, reasons, error_kind, error_detail, duration_ms,"
          + " config_hash, policy_version, shadows, user_detail, context, filtered, credential, prev_hash,"
          + " hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

  private final GroupCommit writes;
  private final DataSource dataSource;
  private final JsonMapper json;

  /** An audit log whose writes share {@code writes}' transactions with the other stores'. */
  public JdbcAuditLog(GroupCommit writes, JsonMapper json) {
    this.writes = writes;
    this.dataSource = writes.dataSource();
    this.json = json;
  }

  /** An audit log that commits its own appends in groups (tools that only read or verify). */
  public JdbcAuditLog(DataSource dataSource, JsonMapper json) {
    this(new GroupCommit(dataSource), json);
  }

  @Override
  public AuditRecord append(AuditEntry entry) throws AuditUnavailableException {
    try {
      return writes.write(c -> {
        Optional<AuditRecord.Head> head = readHead(c);
        AuditRecord record = AuditChain.link(head.map(AuditRecord.Head::seq).orElse(0L) + 1, entry,
            head.map(AuditRecord.Head::hash).orElse(AuditChain.GENESIS));
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
          bind(ps, record);
          ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"
            + " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash")) {
          ps.setLong(1, record.seq());
          ps.setString(2, record.hash());
          ps.executeUpdate();
        }
        return record;
      });
    } catch (SQLException e) {
      throw new AuditUnavailableException("cannot append to the audit log: " + e.getMessage(), e);
    }
  }

  @Override
  public void scan(Consumer<AuditRecord> visitor) throws AuditUnavailableException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM audit_log ORDER BY seq")) {
      ps.setFetchSize(500);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          visitor.accept(read(rs));
        }
      }
    } catch (SQLException e) {
      throw new AuditUnavailableException("cannot read the audit log: " + e.getMessage(), e);
    }
  }

  @Override
  public List<AuditRecord> records(String invocationId) throws AuditUnavailableException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM audit_log WHERE invocation_id = ? ORDER BY seq")) {
      ps.setString(1, invocationId);
      List<AuditRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new AuditUnavailableException("cannot read the audit log: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<AuditRecord.Head> head() throws AuditUnavailableException {
    try (Connection c = dataSource.getConnection()) {
      return readHead(c);
    } catch (SQLException e) {
      throw new AuditUnavailableException("cannot read the audit head: " + e.getMessage(), e);
    }
  }

  private static Optional<AuditRecord.Head> readHead(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(new AuditRecord.Head(rs.getLong(1), rs.getString(2))) : Optional.empty();
    }
  }

  private void bind(PreparedStatement ps, AuditRecord r) throws SQLException {
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
    ps.setString(i++, json.writeValueAsString(e.reasons()));
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

  private AuditRecord read(ResultSet rs) throws SQLException {
    long duration = rs.getLong("duration_ms");
    Long durationMs = rs.wasNull() ? null : duration;
    AuditEntry entry =
        new AuditEntry(
            Instant.parse(rs.getString("recorded_at")),
            rs.getString("invocation_id"),
            rs.getString("trace_id"),
            rs.getString("request_id"),
            rs.getString("tenant"),
            rs.getString("agent_id"),
            rs.getString("user_id"),
            rs.getString("session_id"),
            rs.getString("channel"),
            rs.getString("tool_name"),
            rs.getString("tool_version"),
            rs.getString("descriptor_hash"),
            rs.getString("arguments"),
            rs.getString("arguments_digest"),
            rs.getString("state"),
            rs.getString("decision"),
            json.readValue(rs.getString("reasons"), STRINGS),
            rs.getString("error_kind"),
            rs.getString("error_detail"),
            durationMs,
            rs.getString("config_hash"),
            rs.getString("policy_version"),
            rs.getString("shadows"),
            rs.getString("user_detail"),
            rs.getString("context"),
            rs.getString("filtered"),
            rs.getString("credential"));
    return new AuditRecord(rs.getLong("seq"), entry, rs.getString("prev_hash"), rs.getString("hash"));
  }
}
