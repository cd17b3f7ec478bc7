package dev.portcullis.store;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.invocation.ArgumentsEdit;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * Approval requests and their votes in the embedded database.
 *
 * <p>Concurrency: {@link #decide} is one {@code UPDATE … WHERE status = 'pending'}; the database's
 * one writer serialises racing deciders and the loser updates no row. {@link #vote} and {@link
 * #edit} are each one (IMMEDIATE) transaction that first reads the request's status and the
 * digest of its call's arguments now, from the invocations table in the same database, so no
 * other vote, edit or decision can come between that check and the write.
 */
public final class JdbcApprovalStore implements ApprovalStore {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String COLUMNS =
      "approval_id, invocation_id, created_at, deadline, status, decided_by, decided_at, reason, required";

  private final DataSource dataSource;

  public JdbcApprovalStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public void create(ApprovalRequest r) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO approvals (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, r.approvalId());
      ps.setString(2, r.invocationId());
      ps.setString(3, r.createdAt().toString());
      ps.setString(4, r.deadline().toString());
      ps.setString(5, r.status().wireName());
      ps.setString(6, r.decidedBy());
      ps.setString(7, r.decidedAt() == null ? null : r.decidedAt().toString());
      ps.setString(8, r.reason());
      ps.setInt(9, r.required());
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
  public Optional<ApprovalRequest> forInvocation(String invocationId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM approvals WHERE invocation_id = ?")) {
      ps.setString(1, invocationId);
      return read(ps).stream().findFirst();
    } catch (SQLException e) {
      throw unavailable("read the approval request of invocation " + invocationId, e);
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

  @Override
  public List<ApprovalVote> votes(String approvalId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT approver, arguments_digest, voted_at, reason"
            + " FROM approval_votes WHERE approval_id = ? ORDER BY seq")) {
      ps.setString(1, approvalId);
      List<ApprovalVote> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ApprovalVote(approvalId, rs.getString(1), rs.getString(2), Instant.parse(rs.getString(3)),
              rs.getString(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("read the votes on approval request " + approvalId, e);
    }
  }

  @Override
  public Ballot vote(ApprovalVote v) throws StoreException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Ballot ballot = vote(c, v);
        if (ballot.kind() == Ballot.Kind.RECORDED || ballot.kind() == Ballot.Kind.APPROVED) {
          c.commit();
        } else {
          c.rollback();
        }
        return ballot;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("record a vote on approval request " + v.approvalId(), e);
    }
  }

  private static Ballot vote(Connection c, ApprovalVote v) throws SQLException {
    Standing now = standing(c, v.approvalId());
    if (now == null || !now.pending()) {
      return new Ballot(Ballot.Kind.NOT_PENDING, 0);
    }
    if (!now.digest().equals(v.argumentsDigest())) {
      return new Ballot(Ballot.Kind.STALE, 0);
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM approval_votes"
        + " WHERE approval_id = ? AND approver = ? AND arguments_digest = ?")) {
      ps.setString(1, v.approvalId());
      ps.setString(2, v.approver());
      ps.setString(3, v.argumentsDigest());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return new Ballot(Ballot.Kind.ALREADY_VOTED, 0);
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO approval_votes"
        + " (approval_id, approver, arguments_digest, voted_at, reason, seq)"
        + " SELECT ?, ?, ?, ?, ?, COALESCE(MAX(seq), 0) + 1 FROM approval_votes WHERE approval_id = ?")) {
      ps.setString(1, v.approvalId());
      ps.setString(2, v.approver());
      ps.setString(3, v.argumentsDigest());
      ps.setString(4, v.at().toString());
      ps.setString(5, v.reason());
      ps.setString(6, v.approvalId());
      ps.executeUpdate();
    }
    int votes;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT COUNT(*) FROM approval_votes WHERE approval_id = ? AND arguments_digest = ?")) {
      ps.setString(1, v.approvalId());
      ps.setString(2, v.argumentsDigest());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        votes = rs.getInt(1);
      }
    }
    if (votes < now.required()) {
      return new Ballot(Ballot.Kind.RECORDED, votes);
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE approvals SET status = 'approved', decided_by = ?,"
        + " decided_at = ?, reason = ? WHERE approval_id = ? AND status = 'pending'")) {
      ps.setString(1, v.approver());
      ps.setString(2, v.at().toString());
      ps.setString(3, v.reason());
      ps.setString(4, v.approvalId());
      if (ps.executeUpdate() != 1) {
        return new Ballot(Ballot.Kind.NOT_PENDING, 0);
      }
    }
    return new Ballot(Ballot.Kind.APPROVED, votes);
  }

  @Override
  public Ballot.Kind edit(String approvalId, String expectedDigest, ArgumentsEdit edit) throws StoreException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Standing now = standing(c, approvalId);
        if (now == null || !now.pending()) {
          c.rollback();
          return Ballot.Kind.NOT_PENDING;
        }
        if (!now.digest().equals(expectedDigest)) {
          c.rollback();
          return Ballot.Kind.STALE;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE invocations SET edited_arguments = ?,"
            + " edited_digest = ?, edited_by = ?, edited_at = ? WHERE invocation_id = ?")) {
          ps.setString(1, JSON.writeValueAsString(edit.arguments()));
          ps.setString(2, edit.digest());
          ps.setString(3, edit.editedBy());
          ps.setString(4, edit.at().toString());
          ps.setString(5, now.invocationId());
          ps.executeUpdate();
        }
        c.commit();
        return Ballot.Kind.RECORDED;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("edit the arguments of approval request " + approvalId, e);
    }
  }

  /** A request's status, required votes and its call's current arguments digest, in a transaction. */
  private record Standing(String invocationId, boolean pending, int required, String digest) {}

  private static Standing standing(Connection c, String approvalId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT a.invocation_id, a.status, a.required,"
        + " COALESCE(i.edited_digest, i.arguments_digest), i.state FROM approvals a"
        + " JOIN invocations i ON i.invocation_id = a.invocation_id WHERE a.approval_id = ?")) {
      ps.setString(1, approvalId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        boolean pending = ApprovalStatus.PENDING.wireName().equals(rs.getString(2))
            && "AWAITING_APPROVAL".equals(rs.getString(5));
        return new Standing(rs.getString(1), pending, rs.getInt(3), rs.getString(4));
      }
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
            rs.getString("reason"),
            rs.getInt("required")));
      }
    }
    return out;
  }

  private static StoreException unavailable(String what, SQLException e) {
    return new StoreException("cannot " + what + " in the approval store: " + e.getMessage(), e);
  }
}
