package dev.portcullis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Checks that the invocations and the audit log agree: every call's stored state is the state its
 * last audit record names. The ledger writes both in one transaction, so they always agree; a call
 * that does not was written outside the ledger (by a gateway from before it, or by hand), or lost
 * its records.
 */
public final class LedgerCheck {
  /** One call whose row and records disagree; {@code recorded} is null when it has no record. */
  public record Disagreement(String invocationId, String stored, String recorded) {
    @Override
    public String toString() {
      return "invocation "
          + invocationId
          + " is "
          + stored
          + " in the store but "
          + (recorded == null ? "has no audit record" : "its last audit record says " + recorded);
    }
  }

  private final DataSource dataSource;
  private final Dialect dialect;

  public LedgerCheck(Database database) {
    this.dataSource = database.dataSource();
    this.dialect = database.dialect();
  }

  /** Every call whose row and last record disagree, at most {@code limit}, oldest first. */
  public List<Disagreement> disagreements(int limit) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT i.invocation_id, i.state, a.state FROM invocations i LEFT JOIN audit_log a ON a.seq ="
                    + " (SELECT MAX(seq) FROM audit_log WHERE invocation_id = "
                    + dialect.idSql("i.invocation_id")
                    + ")"
                    + " WHERE a.state IS NULL OR a.state <> i.state ORDER BY i.received_at, i.invocation_id LIMIT ?")) {
      ps.setInt(1, limit);
      List<Disagreement> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Disagreement(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
      }
      return out;
    }
  }
}
