package dev.portcullis.store;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.invocation.AuditEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the audit log in a relational database: one row per record plus a one-row head, both
 * written by the {@link JdbcLedger}.
 */
public final class JdbcAuditLog implements AuditLog {
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private final DataSource dataSource;
  private final JsonMapper json;

  public JdbcAuditLog(DataSource dataSource, JsonMapper json) {
    this.dataSource = dataSource;
    this.json = json;
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
        PreparedStatement ps =
            c.prepareStatement("SELECT * FROM audit_log WHERE invocation_id = ? ORDER BY seq")) {
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
    try (PreparedStatement ps =
            c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next()
          ? Optional.of(new AuditRecord.Head(rs.getLong(1), rs.getString(2)))
          : Optional.empty();
    }
  }

  private AuditRecord read(ResultSet rs) throws SQLException {
    long duration = rs.getLong("duration_ms");
    Long durationMs = rs.wasNull() ? null : duration;
    AuditEntry entry =
        AuditEntry.builder(
                Instant.parse(rs.getString("recorded_at")),
                rs.getString("invocation_id"),
                rs.getString("trace_id"),
                rs.getString("state"),
                rs.getString("config_hash"))
            .requestId(rs.getString("request_id"))
            .tenant(rs.getString("tenant"))
            .agentId(rs.getString("agent_id"))
            .userId(rs.getString("user_id"))
            .sessionId(rs.getString("session_id"))
            .channel(rs.getString("channel"))
            .toolName(rs.getString("tool_name"))
            .toolVersion(rs.getString("tool_version"))
            .descriptorHash(rs.getString("descriptor_hash"))
            .arguments(rs.getString("arguments"))
            .argumentsDigest(rs.getString("arguments_digest"))
            .decision(rs.getString("decision"))
            .reasons(json.readValue(rs.getString("reasons"), STRINGS))
            .errorKind(rs.getString("error_kind"))
            .errorDetail(rs.getString("error_detail"))
            .durationMs(durationMs)
            .policyVersion(rs.getString("policy_version"))
            .shadows(rs.getString("shadows"))
            .user(rs.getString("user_detail"))
            .context(rs.getString("context"))
            .filtered(rs.getString("filtered"))
            .credential(rs.getString("credential"))
            .build();
    return new AuditRecord(
        rs.getLong("seq"), entry, rs.getString("prev_hash"), rs.getString("hash"));
  }
}
