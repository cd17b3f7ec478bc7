package dev.portcullis.store;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.invocation.InvocationStore.StateConflictException;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Transition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Approval requests and their votes in the embedded database. Each change that also moves or
 * records the call runs in one transaction with its {@link Transition}, written by the {@link
 * JdbcLedger} on the same connection, queued on the ledger's {@link GroupCommit}.
 *
 * <p>Concurrency: {@link #decide} is one {@code UPDATE … WHERE status = 'pending'}; the group's one
 * writer serialises racing deciders and the loser updates no row. {@link #vote} and {@link #edit}
 * first read the request's status and the digest of its call's arguments now, from the invocations
 * table, in the same transaction, so no other vote, edit or decision can come between that check
 * and the write.
 */
public final class JdbcApprovalStore implements ApprovalStore {
  private static final String COLUMNS =
      "approval_id, invocation_id, created_at, deadline, status, decided_by, decided_at, reason, required";

  private final JdbcLedger ledger;
  private final GroupCommit writes;
  private final DataSource dataSource;

  public JdbcApprovalStore(JdbcLedger ledger) {
    this.ledger = ledger;
    this.writes = ledger.writes();
    this.dataSource = writes.dataSource();
  }

  @Override
  public Ledger.Written park(ApprovalRequest r, Transition parking) throws StoreException {
    JdbcLedger.Prepared p = ledger.prepare(parking);
    Object parked;
    try {
      parked =
          writes.write(
              c -> {
                Object written = ledger.apply(c, p);
                if (!(written instanceof Ledger.Written.KeyHeld)) {
                  try (PreparedStatement ps =
                      c.prepareStatement(
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
                  }
                }
                return written;
              });
    } catch (SQLException e) {
      throw unavailable(
          "park invocation " + r.invocationId() + " for approval " + r.approvalId(), e);
    }
    ledger.committed(p);
    return JdbcLedger.result(parked);
  }

  @Override
  public Optional<ApprovalRequest> find(String approvalId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM approvals WHERE approval_id = ?")) {
      ps.setString(1, approvalId);
      return read(ps).stream().findFirst();
    } catch (SQLException e) {
      throw unavailable("read approval request " + approvalId, e);
    }
  }

  @Override
  public Optional<ApprovalRequest> forInvocation(String invocationId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM approvals WHERE invocation_id = ?")) {
      ps.setString(1, invocationId);
      return read(ps).stream().findFirst();
    } catch (SQLException e) {
      throw unavailable("read the approval request of invocation " + invocationId, e);
    }
  }

  @Override
  public List<ApprovalRequest> inStatus(ApprovalStatus status) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM approvals WHERE status = ? ORDER BY created_at, approval_id")) {
      ps.setString(1, status.wireName());
      return read(ps);
    } catch (SQLException e) {
      throw unavailable("list " + status.wireName() + " approval requests", e);
    }
  }

  @Override
  public boolean decide(
      String approvalId,
      ApprovalStatus decided,
      String by,
      Instant at,
      String reason,
      Transition then)
      throws StoreException {
    if (decided == ApprovalStatus.PENDING) {
      throw new IllegalArgumentException("a decision cannot make a request pending");
    }
    JdbcLedger.Prepared p = ledger.prepare(then);
    Object written;
    try {
      written =
          writes.write(
              c -> {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "UPDATE approvals SET status = ?, decided_by = ?,"
                            + " decided_at = ?, reason = ? WHERE approval_id = ? AND status = 'pending'")) {
                  ps.setString(1, decided.wireName());
                  ps.setString(2, by);
                  ps.setString(3, at.toString());
                  ps.setString(4, reason);
                  ps.setString(5, approvalId);
                  if (ps.executeUpdate() != 1) {
                    return NotPending.INSTANCE;
                  }
                }
                return undoUnlessWritten(ledger.apply(c, p));
              });
    } catch (SQLException e) {
      rethrowConflict(e);
      throw unavailable("decide approval request " + approvalId, e);
    }
    ledger.committed(p);
    if (written == NotPending.INSTANCE) {
      return false;
    }
    JdbcLedger.result(written);
    return true;
  }

  /**
   * {@code written} when the ledger wrote it; otherwise (a lost compare-and-set) throws, so that
   * the group undoes this store's part of the write too, and the caller learns why.
   */
  private static Object undoUnlessWritten(Object written) throws SQLException {
    if (written instanceof JdbcLedger.Conflict conflict) {
      throw new ConflictException(conflict);
    }
    return written;
  }

  /** What {@link #decide} found: the request was not pending, and nothing was written. */
  private enum NotPending {
    INSTANCE
  }

  /** Throws the lost compare-and-set that failed the write, if that is what failed it. */
  private static void rethrowConflict(SQLException e) throws StateConflictException {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConflictException conflict) {
        throw new StateConflictException(conflict.conflict.message());
      }
    }
  }

  /**
   * A transition's lost compare-and-set, carried out of the group so that the whole write is
   * undone.
   */
  private static final class ConflictException extends SQLException {
    private static final long serialVersionUID = 1L;
    private final transient JdbcLedger.Conflict conflict;

    ConflictException(JdbcLedger.Conflict conflict) {
      super(conflict.message());
      this.conflict = conflict;
    }
  }

  @Override
  public List<ApprovalVote> votes(String approvalId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT approver, arguments_digest, voted_at, reason"
                    + " FROM approval_votes WHERE approval_id = ? ORDER BY seq")) {
      ps.setString(1, approvalId);
      List<ApprovalVote> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new ApprovalVote(
                  approvalId,
                  rs.getString(1),
                  rs.getString(2),
                  Instant.parse(rs.getString(3)),
                  rs.getString(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw unavailable("read the votes on approval request " + approvalId, e);
    }
  }

  @Override
  public Ballot vote(ApprovalVote v, Function<Ballot, Transition> record) throws StoreException {
    try {
      return writes.write(
          c -> {
            Ballot ballot = vote(c, v);
            if (ballot.kind() == Ballot.Kind.RECORDED || ballot.kind() == Ballot.Kind.QUORUM) {
              undoUnlessWritten(ledger.apply(c, ledger.prepare(record.apply(ballot))));
            }
            return ballot;
          });
    } catch (SQLException e) {
      rethrowConflict(e);
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
    int before = count(c, v);
    if (before >= now.required()) {
      return new Ballot(Ballot.Kind.AWAITS_RESUMPTION, before);
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM approval_votes"
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
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO approval_votes"
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
    int votes = before + 1;
    return new Ballot(votes < now.required() ? Ballot.Kind.RECORDED : Ballot.Kind.QUORUM, votes);
  }

  /** How many votes request {@code v.approvalId()} has for the arguments {@code v} approves. */
  private static int count(Connection c, ApprovalVote v) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COUNT(*) FROM approval_votes WHERE approval_id = ? AND arguments_digest = ?")) {
      ps.setString(1, v.approvalId());
      ps.setString(2, v.argumentsDigest());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Override
  public Ballot.Kind edit(String approvalId, String expectedDigest, Transition edit)
      throws StoreException {
    JdbcLedger.Prepared p = ledger.prepare(edit);
    try {
      Ballot.Kind kind =
          writes.write(
              c -> {
                Standing now = standing(c, approvalId);
                if (now == null || !now.pending()) {
                  return Ballot.Kind.NOT_PENDING;
                }
                if (!now.digest().equals(expectedDigest)) {
                  return Ballot.Kind.STALE;
                }
                undoUnlessWritten(ledger.apply(c, p));
                return Ballot.Kind.RECORDED;
              });
      ledger.committed(p);
      return kind;
    } catch (SQLException e) {
      rethrowConflict(e);
      throw unavailable("edit the arguments of approval request " + approvalId, e);
    }
  }

  /**
   * A request's status, required votes and its call's current arguments digest, in a transaction.
   */
  private record Standing(String invocationId, boolean pending, int required, String digest) {}

  private static Standing standing(Connection c, String approvalId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.invocation_id, a.status, a.required,"
                + " COALESCE(i.edited_digest, i.arguments_digest), i.state FROM approvals a"
                + " JOIN invocations i ON i.invocation_id = a.invocation_id WHERE a.approval_id = ?")) {
      ps.setString(1, approvalId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        boolean pending =
            ApprovalStatus.PENDING.wireName().equals(rs.getString(2))
                && "AWAITING_APPROVAL".equals(rs.getString(5));
        return new Standing(rs.getString(1), pending, rs.getInt(3), Packed.text(rs.getObject(4)));
      }
    }
  }

  private static List<ApprovalRequest> read(PreparedStatement ps) throws SQLException {
    List<ApprovalRequest> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String decidedAt = rs.getString("decided_at");
        out.add(
            new ApprovalRequest(
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
