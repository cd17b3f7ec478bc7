package dev.portcullis.store;

import dev.portcullis.invocation.BeforeState;
import dev.portcullis.invocation.BeforeStateStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Before-states in the embedded database, one row per invocation (V10). */
public final class JdbcBeforeStateStore implements BeforeStateStore {
  private final DataSource dataSource;
  private final JsonMapper json;

  public JdbcBeforeStateStore(DataSource dataSource, JsonMapper json) {
    this.dataSource = dataSource;
    this.json = json;
  }

  @Override
  public void save(BeforeState s) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO invocation_before_state"
                    + " (invocation_id, read_tool, read_arguments, state, digest, captured_at) VALUES (?,?,?,?,?,?)")) {
      ps.setString(1, s.invocationId());
      ps.setString(2, s.readTool());
      ps.setString(3, json.writeValueAsString(s.readArguments()));
      ps.setString(4, json.writeValueAsString(s.state()));
      ps.setString(5, s.digest());
      ps.setString(6, s.capturedAt().toString());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException(
          "cannot record the before-state of invocation "
              + s.invocationId()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public Optional<BeforeState> find(String invocationId) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT read_tool, read_arguments, state, digest, captured_at"
                    + " FROM invocation_before_state WHERE invocation_id = ?")) {
      ps.setString(1, invocationId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new BeforeState(
                invocationId,
                rs.getString(1),
                json.readTree(rs.getString(2)),
                json.readTree(rs.getString(3)),
                rs.getString(4),
                Instant.parse(rs.getString(5))));
      }
    } catch (SQLException | JacksonException e) {
      throw new StoreException(
          "cannot read the before-state of invocation " + invocationId + ": " + e.getMessage(), e);
    }
  }
}
