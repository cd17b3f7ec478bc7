package dev.portcullis.store;

import dev.portcullis.identity.SessionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * MCP sessions in the shared store (table {@code mcp_sessions}, SQLite and PostgreSQL alike), so
 * that a session opened on one node is found, ended and bounded on every node.
 *
 * <p>Concurrency: an open is one conditional INSERT whose counts and insert are one statement. On
 * SQLite (one writer) the bounds are exact; on PostgreSQL two opens racing on different nodes may
 * both see the last place, so a bound may be passed by the opens in flight at that moment.
 *
 * <p>Failure: an SQL error is an {@link IllegalStateException} naming the step; nothing is retried.
 */
public final class JdbcSessionStore implements SessionStore {
  private final DataSource dataSource;

  public JdbcSessionStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Opening open(StoredSession session, int max, int perAgent, Duration idleTimeout) {
    long liveFrom = session.lastSeen().minus(idleTimeout).toEpochMilli();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO mcp_sessions (id, agent_id, protocol_version, opened_at, last_seen)"
                  + " SELECT ?, ?, ?, ?, ?"
                  + " WHERE (SELECT COUNT(*) FROM mcp_sessions WHERE agent_id = ? AND last_seen >= ?) < ?"
                  + " AND (SELECT COUNT(*) FROM mcp_sessions WHERE last_seen >= ?) < ?")) {
        ps.setString(1, session.id());
        ps.setString(2, session.agentId());
        ps.setString(3, session.protocolVersion());
        ps.setLong(4, session.openedAt().toEpochMilli());
        ps.setLong(5, session.lastSeen().toEpochMilli());
        ps.setString(6, session.agentId());
        ps.setLong(7, liveFrom);
        ps.setInt(8, perAgent);
        ps.setLong(9, liveFrom);
        ps.setInt(10, max);
        if (ps.executeUpdate() == 1) {
          return Opening.OPENED;
        }
      }
      // Refused: which bound is only read to word the answer.
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT COUNT(*) FROM mcp_sessions WHERE agent_id = ? AND last_seen >= ?")) {
        ps.setString(1, session.agentId());
        ps.setLong(2, liveFrom);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1) >= perAgent ? Opening.REFUSED_PER_AGENT : Opening.REFUSED_IN_ALL;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open an MCP session: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<StoredSession> find(String id) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT agent_id, protocol_version, opened_at, last_seen FROM mcp_sessions WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new StoredSession(
                id,
                rs.getString(1),
                rs.getString(2),
                Instant.ofEpochMilli(rs.getLong(3)),
                Instant.ofEpochMilli(rs.getLong(4))));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read an MCP session: " + e.getMessage(), e);
    }
  }

  @Override
  public void touch(String id, Instant at) {
    update(
        "UPDATE mcp_sessions SET last_seen = ? WHERE id = ? AND last_seen < ?",
        "record the use of",
        at.toEpochMilli(),
        id,
        at.toEpochMilli());
  }

  @Override
  public boolean end(String id) {
    return update("DELETE FROM mcp_sessions WHERE id = ?", "end", id) == 1;
  }

  @Override
  public int removeIdleBefore(Instant cutoff) {
    return update(
        "DELETE FROM mcp_sessions WHERE last_seen < ?",
        "sweep idle ones of",
        cutoff.toEpochMilli());
  }

  private int update(String sql, String step, Object... values) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] instanceof Long l) {
          ps.setLong(i + 1, l);
        } else {
          ps.setString(i + 1, (String) values[i]);
        }
      }
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot " + step + " MCP sessions: " + e.getMessage(), e);
    }
  }
}
