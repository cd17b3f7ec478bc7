package dev.portcullis.store;

import dev.portcullis.audit.AuditChain;
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
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the audit log in a relational database: one row per record plus a one-row head, both
 * written by the {@link JdbcLedger}.
 */
public final class JdbcAuditLog implements AuditLog {
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  /** A record's columns with the shared values its ids name ({@link LedgerValues}). */
  private static final String SELECT =
      "SELECT a.*, dh.value AS descriptor_hash_v, ch.value AS config_hash_v,"
          + " pv.value AS policy_version_v, sh.value AS shadows_v, fi.value AS filtered_v,"
          + " cr.value AS credential_v, te.value AS tenant_v, ag.value AS agent_id_v,"
          + " cn.value AS channel_v, tn.value AS tool_name_v, rs.value AS reasons_v FROM audit_log a"
          + " LEFT JOIN ledger_values te ON te.id = a.tenant"
          + " LEFT JOIN ledger_values ag ON ag.id = a.agent_id"
          + " LEFT JOIN ledger_values cn ON cn.id = a.channel"
          + " LEFT JOIN ledger_values tn ON tn.id = a.tool_name"
          + " LEFT JOIN ledger_values rs ON rs.id = a.reasons"
          + " LEFT JOIN ledger_values dh ON dh.id = a.descriptor_hash"
          + " LEFT JOIN ledger_values ch ON ch.id = a.config_hash"
          + " LEFT JOIN ledger_values pv ON pv.id = a.policy_version"
          + " LEFT JOIN ledger_values sh ON sh.id = a.shadows"
          + " LEFT JOIN ledger_values fi ON fi.id = a.filtered"
          + " LEFT JOIN ledger_values cr ON cr.id = a.credential";

  private final DataSource dataSource;
  private final Dialect dialect;
  private final JsonMapper json;

  public JdbcAuditLog(Database database, JsonMapper json) {
    this(database.dataSource(), database.dialect(), json);
  }

  public JdbcAuditLog(DataSource dataSource, Dialect dialect, JsonMapper json) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.json = json;
  }

  @Override
  public void scan(Consumer<AuditRecord> visitor) throws AuditUnavailableException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY a.seq")) {
      ps.setFetchSize(500);
      try (ResultSet rs = ps.executeQuery()) {
        // each record's previous hash is the stored hash of the one read before it
        String prev = AuditChain.GENESIS;
        while (rs.next()) {
          AuditRecord r = read(rs, prev);
          prev = r.hash();
          visitor.accept(r);
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
            c.prepareStatement(
                SELECT.replace(" FROM audit_log a", ", p.hash AS prev_hash FROM audit_log a")
                    + " LEFT JOIN audit_log p ON p.seq = a.seq - 1"
                    + " WHERE a.invocation_id = ? ORDER BY a.seq")) {
      ps.setObject(1, dialect.id(invocationId));
      List<AuditRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object prev = rs.getObject("prev_hash");
          out.add(
              read(
                  rs,
                  rs.getLong("seq") == 1
                      ? AuditChain.GENESIS
                      : prev == null
                          ? "(record " + (rs.getLong("seq") - 1) + " is missing)"
                          : Packed.text(prev)));
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

  /**
   * The record in the current row of {@code rs}, whose previous record's stored hash is {@code
   * prevHash}: the values exactly as written (V15 stores them compactly, see {@link Packed} and
   * {@link LedgerValues}).
   */
  private AuditRecord read(ResultSet rs, String prevHash) throws SQLException {
    long duration = rs.getLong("duration_ms");
    Long durationMs = rs.wasNull() ? null : duration;
    AuditEntry entry =
        AuditEntry.builder(
                Instant.ofEpochMilli(rs.getLong("recorded_at")),
                Packed.idText(rs.getObject("invocation_id")),
                Packed.text(rs.getObject("trace_id")),
                rs.getString("state"),
                shared(rs, "config_hash"))
            .requestId(rs.getString("request_id"))
            .tenant(shared(rs, "tenant"))
            .agentId(shared(rs, "agent_id"))
            .userId(rs.getString("user_id"))
            .sessionId(Packed.text(rs.getObject("session_id")))
            .channel(shared(rs, "channel"))
            .toolName(shared(rs, "tool_name"))
            .toolVersion(rs.getString("tool_version"))
            .descriptorHash(shared(rs, "descriptor_hash"))
            .arguments(rs.getString("arguments"))
            .argumentsDigest(Packed.text(rs.getObject("arguments_digest")))
            .decision(rs.getString("decision"))
            .reasons(reasons(shared(rs, "reasons")))
            .errorKind(rs.getString("error_kind"))
            .errorDetail(rs.getString("error_detail"))
            .durationMs(durationMs)
            .policyVersion(shared(rs, "policy_version"))
            .shadows(shared(rs, "shadows"))
            .user(rs.getString("user_detail"))
            .context(rs.getString("context"))
            .filtered(shared(rs, "filtered"))
            .credential(shared(rs, "credential"))
            .build();
    return new AuditRecord(rs.getLong("seq"), entry, prevHash, Packed.text(rs.getObject("hash")));
  }

  /**
   * The stored reasons (a JSON array of strings). Text that is not one (an edited column, a removed
   * shared value) reads as itself, one reason: the record then fails its hash, and verification
   * names it, instead of stopping at it.
   */
  private List<String> reasons(String stored) {
    try {
      return json.readValue(stored, STRINGS);
    } catch (JacksonException e) {
      return List.of(stored);
    }
  }

  private static String shared(ResultSet rs, String column) throws SQLException {
    return LedgerValues.value(rs.getObject(column), rs.getString(column + "_v"));
  }
}
