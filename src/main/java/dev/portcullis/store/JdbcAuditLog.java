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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit log in a relational database: one row per record plus a one-row head, written in the
 * same transaction.
 *
 * <p>Concurrency: group commit. Concurrent appends queue up; whichever caller holds the write lock
 * writes all the records waiting, in order, in one transaction (one fsync), and every caller
 * returns only once its own record is durable. The head is read inside that transaction, so the
 * chain never forks. One gateway process owns a data directory (the wiring holds a file lock on it).
 *
 * <p>Failure: any SQL error rolls the whole transaction back and every append in it fails with
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

  private final DataSource dataSource;
  private final JsonMapper json;
  /** The most records one transaction writes; the rest wait for the next. */
  private static final int MAX_BATCH = 256;

  private final ReentrantLock writeLock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();

  public JdbcAuditLog(DataSource dataSource, JsonMapper json) {
    this.dataSource = dataSource;
    this.json = json;
  }

  @Override
  public AuditRecord append(AuditEntry entry) throws AuditUnavailableException {
    Pending mine = new Pending(entry);
    waiting.add(mine);
    writeLock.lock();
    try {
      while (!mine.done) {
        commitWaiting();
      }
    } finally {
      writeLock.unlock();
    }
    if (mine.failure != null) {
      throw new AuditUnavailableException(mine.failure.getMessage(), mine.failure);
    }
    return mine.record;
  }

  /**
   * Group commit: the caller holding the lock writes every record waiting at that moment, in
   * order, in one transaction with one fsync, then completes each; the callers whose records it
   * wrote find them done when they get the lock. Runs with {@link #writeLock} held.
   */
  private void commitWaiting() {
    List<Pending> batch = new ArrayList<>();
    for (Pending p; batch.size() < MAX_BATCH && (p = waiting.poll()) != null; ) {
      batch.add(p);
    }
    if (batch.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Optional<AuditRecord.Head> head = readHead(c);
        long seq = head.map(AuditRecord.Head::seq).orElse(0L);
        String prev = head.map(AuditRecord.Head::hash).orElse(AuditChain.GENESIS);
        List<AuditRecord> records = new ArrayList<>(batch.size());
        for (Pending p : batch) {
          AuditRecord record = AuditChain.link(++seq, p.entry, prev);
          records.add(record);
          prev = record.hash();
        }
        insert(c, records);
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash")) {
          ps.setLong(1, seq);
          ps.setString(2, prev);
          ps.executeUpdate();
        }
        c.commit();
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).record = records.get(i);
          batch.get(i).done = true;
        }
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      for (Pending p : batch) {
        p.failure = new SQLException("cannot append to the audit log: " + e.getMessage(), e);
        p.done = true;
      }
    }
  }

  /** One caller's record on its way into the log. Written and read under {@link #writeLock}. */
  private static final class Pending {
    final AuditEntry entry;
    boolean done;
    AuditRecord record;
    Exception failure;

    Pending(AuditEntry entry) {
      this.entry = entry;
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

  private void insert(Connection c, List<AuditRecord> records) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      for (AuditRecord r : records) {
        bind(ps, r);
        ps.addBatch();
      }
      ps.executeBatch();
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
