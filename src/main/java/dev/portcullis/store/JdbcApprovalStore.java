package dev.portcullis.store;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Approval requests in the embedded database.
 *
 * <p>Concurrency: {@link #decide} is one {@code UPDATE … WHERE status = 'pending'}; the database's
 * one writer serialises racing deciders and the loser updates no row.
 */
public final class JdbcApprovalStore implements ApprovalStore {
  private static final String COLUMNS =
      "approval_id, invocation_id, created_at, deadline, status, decided_by, decided_at, reason";

  private final DataSource dataSource;

  public JdbcApprovalStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public void create(ApprovalRequest r) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO approvals (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)")) {
      ps.setString(1, r.approvalId());
      ps.setString(2, r.invocationId());
      ps.setString(3, r.createdAt().toString());
      ps.setString(4, r.deadline().toString());
      ps.setString(5, r.status().wireName());
      ps.setString(6, r.decidedBy());
      ps.setString(7, r.decidedAt() == null ? null : r.decidedAt().toString());
      ps.setString(8, r.reason());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw unavailable("record approval request " + r.approvalId(), e);
    }
  }

  @Override
  public Optional<ApprovalRequest> find(String approvalId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM approvals WHERE approval_id = ?")) {
      ps.setString(1, approvalId);
      return read(ps).stream().findFirst();
    } catch (SQLException e) {
      throw unavailable("read approval request " + approvalId, e);
    }
  }

  @Override
  public List<ApprovalRequest> inStatus(ApprovalStatus status) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT " + COLUMNS + " FROM approvals WHERE status = ? ORDER BY created_at, approval_id")) {
      ps.setString(1, status.wireName());
      return read(ps);
    } catch (SQLException e) {
      throw unavailable("list " + status.wireName() + " approval requests", e);
    }
  }

  @Override
  public boolean decide(String approvalId, ApprovalStatus decided, String by, Instant at, String reason)
      throws StoreException {
    if (decided == ApprovalStatus.PENDING) {
      throw new IllegalArgumentException("a decision cannot make a request pending");
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, reason = ?"
                + " WHERE approval_id = ? AND status = 'pending'")) {
      ps.setString(1, decided.wireName());
      ps.setString(2, by);
      ps.setString(3, at.toString());
      ps.setString(4, reason);
      ps.setString(5, approvalId);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw unavailable("decide approval request " + approvalId, e);
    }
  }

  private static List<ApprovalRequest> read(PreparedStatement ps) throws SQLException {
    List<ApprovalRequest> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String decidedAt = rs.getString("decided_at");
        out.add(new ApprovalRequest(
            rs.getString("approval_id"),
            rs.getString("invocation_id"),
            Instant.parse(rs.getString("created_at")),
            Instant.parse(rs.getString("deadline")),
            ApprovalStatus.parse(rs.getString("status")),
            rs.getString("decided_by"),
            decidedAt == null ? null : Instant.parse(decidedAt),
            rs.getString("reason")));
      }
    }
    return out;
  }

  private static StoreException unavailable(String what, SQLException e) {
    return new StoreException("cannot " + what + " in the approval store: " + e.getMessage(), e);
  }
}
