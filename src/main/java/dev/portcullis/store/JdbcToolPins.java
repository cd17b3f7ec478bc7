package dev.portcullis.store;

import dev.portcullis.catalog.ToolPin;
import dev.portcullis.catalog.ToolPins;
import dev.portcullis.invocation.NodeSignals;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Approvals of upstream tool descriptors in the embedded database. The table refuses updates and
 * deletes; each approval is a new version, so the history of who approved what stays.
 *
 * <p>Concurrency: an approval is one statement, so concurrent approvals of a tool (threads or
 * processes) serialise on SQLite's write lock and each gets its own version. On PostgreSQL two
 * nodes can read the same latest version; the loser's insert violates the key and is tried again.
 */
public final class JdbcToolPins implements ToolPins {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JdbcToolPins.class);

  /**
   * How often an approval is tried when other nodes took the version it read at the same time. Each
   * lost attempt means another approval of the tool committed, so the approvals of racing nodes
   * land one per round and a racer loses only to approvals committed while it tries: the bound only
   * stops a runaway, far above any number of operators approving one tool at once (five, the first
   * bound, failed eight approvers on two nodes: JdbcToolPinsTest).
   */
  private static final int MAX_ATTEMPTS = 100;

  private final DataSource dataSource;
  private final JsonMapper json;
  private final Dialect dialect;

  /** Approvals in the embedded store: nobody else to tell. */
  public JdbcToolPins(DataSource dataSource, JsonMapper json) {
    this(dataSource, json, Dialect.SQLITE);
  }

  /**
   * Approvals in {@code dialect}'s store; on PostgreSQL each approval, once committed, signals the
   * other nodes ({@link NodeSignals.Topic#TOOLS}), which read the approvals at once.
   */
  public JdbcToolPins(DataSource dataSource, JsonMapper json, Dialect dialect) {
    this.dataSource = dataSource;
    this.json = json;
    this.dialect = dialect;
  }

  @Override
  public List<ToolPin> current() throws PinStoreException {
    String sql =
        "SELECT p.tool, p.version, p.fingerprint, p.descriptor, p.approved_by, p.approved_at FROM tool_pins p"
            + " WHERE p.version = (SELECT MAX(version) FROM tool_pins q WHERE q.tool = p.tool) ORDER BY p.tool";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      List<ToolPin> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            new ToolPin(
                rs.getString(1),
                rs.getInt(2),
                rs.getString(3),
                parse(rs.getString(4)),
                rs.getString(5),
                Instant.parse(rs.getString(6))));
      }
      return out;
    } catch (SQLException e) {
      throw new PinStoreException("cannot read the tool approvals: " + e.getMessage(), e);
    }
  }

  @Override
  public ToolPin approve(
      String tool, String fingerprint, JsonNode descriptor, String approvedBy, Instant at)
      throws PinStoreException {
    // One statement reads the next version and writes it: SQLite takes its write lock before the
    // read (waiting out the busy timeout), so two approvals at once, from any process, get distinct
    // versions. A read-then-insert transaction would fail one of them with SQLITE_BUSY instead.
    // PostgreSQL lets two nodes read the same maximum; the second insert then violates the key, and
    // is tried again, when it reads the first's version.
    for (int attempt = 1; ; attempt++) {
      try {
        return insertNextVersion(tool, fingerprint, descriptor, approvedBy, at);
      } catch (SQLException e) {
        if (!Dialect.uniqueViolation(e) || attempt == MAX_ATTEMPTS) {
          throw new PinStoreException(
              "cannot record the approval of " + tool + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private ToolPin insertNextVersion(
      String tool, String fingerprint, JsonNode descriptor, String approvedBy, Instant at)
      throws SQLException {
    String sql =
        "INSERT INTO tool_pins (tool, version, fingerprint, descriptor, approved_by, approved_at)"
            + " SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ? FROM tool_pins WHERE tool = ? RETURNING version";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, tool);
      ps.setString(2, fingerprint);
      ps.setString(3, json.writeValueAsString(descriptor));
      ps.setString(4, approvedBy);
      ps.setString(5, at.toString());
      ps.setString(6, tool);
      int version;
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the insert returned no version");
        }
        version = rs.getInt(1);
      }
      // autocommit: the approval has committed; a signal lost here is found by the nodes' polling
      try {
        PostgresSignals.within(c, dialect, NodeSignals.Signal.of(NodeSignals.Topic.TOOLS));
      } catch (SQLException e) {
        LOG.warn(
            "approved {}, but cannot signal the other nodes ({}); they read it within a second",
            tool,
            e.getMessage());
      }
      return new ToolPin(tool, version, fingerprint, descriptor, approvedBy, at);
    }
  }

  @Override
  public boolean quarantine(Quarantine q) throws PinStoreException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        int inserted;
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO tool_quarantines (tool, pin_version, reason, node, quarantined_at)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tool, pin_version) DO NOTHING")) {
          ps.setString(1, q.tool());
          ps.setInt(2, q.pinVersion());
          ps.setString(3, q.reason());
          ps.setString(4, q.node());
          ps.setString(5, q.at().toString());
          inserted = ps.executeUpdate();
        }
        if (inserted == 1) {
          PostgresSignals.within(c, dialect, NodeSignals.Signal.of(NodeSignals.Topic.TOOLS));
        }
        c.commit();
        return inserted == 1;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new PinStoreException(
          "cannot record the quarantine of " + q.tool() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<Quarantine> quarantines() throws PinStoreException {
    String sql =
        "SELECT q.tool, q.pin_version, q.reason, q.node, q.quarantined_at FROM tool_quarantines q"
            + " WHERE q.pin_version = (SELECT MAX(version) FROM tool_pins p WHERE p.tool = q.tool)"
            + " ORDER BY q.tool";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      List<Quarantine> out = new ArrayList<>();
      while (rs.next()) {
        out.add(
            new Quarantine(
                rs.getString(1),
                rs.getInt(2),
                rs.getString(3),
                rs.getString(4),
                Instant.parse(rs.getString(5))));
      }
      return out;
    } catch (SQLException e) {
      throw new PinStoreException("cannot read the tool quarantines: " + e.getMessage(), e);
    }
  }

  private JsonNode parse(String text) throws SQLException {
    try {
      return json.readTree(text);
    } catch (JacksonException e) {
      throw new SQLException("a stored descriptor is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
