package dev.portcullis.store;

import dev.portcullis.invocation.NodeSignals;
import dev.portcullis.policy.PolicyBundles;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * The published policy bundles, in table {@code policy_bundles} (append-only: triggers refuse
 * UPDATE, DELETE and TRUNCATE). The files are stored as a JSON array of {@code {name, text}}.
 *
 * <p>Concurrency: a publication is one INSERT, its place given by the table's sequence; two nodes
 * publishing at once both succeed, one after the other, and the later is the newest. On PostgreSQL
 * the INSERT's transaction also signals {@link NodeSignals.Topic#POLICY}, delivered on commit.
 */
public final class JdbcPolicyBundles implements PolicyBundles {
  private final Database database;
  private final JsonMapper json;

  public JdbcPolicyBundles(Database database, JsonMapper json) {
    this.database = database;
    this.json = json;
  }

  @Override
  public Optional<Head> newest() throws BundleStoreException {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT seq, version FROM policy_bundles ORDER BY seq DESC LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(new Head(rs.getLong(1), rs.getString(2))) : Optional.empty();
    } catch (SQLException e) {
      throw new BundleStoreException("cannot read the policy bundles: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Bundle> read(long seq) throws BundleStoreException {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT version, files, node, published_at FROM policy_bundles WHERE seq = ?")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Bundle(
                seq,
                rs.getString(1),
                files(rs.getString(2)),
                rs.getString(3),
                Instant.parse(rs.getString(4))));
      }
    } catch (SQLException e) {
      throw new BundleStoreException("cannot read policy bundle " + seq + ": " + e.getMessage(), e);
    } catch (JacksonException | IllegalArgumentException | java.time.DateTimeException e) {
      throw new BundleStoreException(
          "policy bundle " + seq + " cannot be read: " + e.getMessage(), e, true);
    }
  }

  @Override
  public boolean published(String version) throws BundleStoreException {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT 1 FROM policy_bundles WHERE version = ? LIMIT 1")) {
      ps.setString(1, version);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw new BundleStoreException("cannot read the policy bundles: " + e.getMessage(), e);
    }
  }

  @Override
  public long publish(String version, List<File> files, String node, Instant at)
      throws BundleStoreException {
    ArrayNode array = json.createArrayNode();
    files.forEach(f -> array.addObject().put("name", f.name()).put("text", f.text()));
    try (Connection c = database.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try {
        long seq;
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO policy_bundles (version, files, node, published_at)"
                    + " VALUES (?, ?, ?, ?) RETURNING seq")) {
          ps.setString(1, version);
          ps.setString(2, json.writeValueAsString(array));
          ps.setString(3, node);
          ps.setString(4, at.toString());
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw new SQLException("the insert returned no seq");
            }
            seq = rs.getLong(1);
          }
        }
        PostgresSignals.within(
            c, database.dialect(), NodeSignals.Signal.of(NodeSignals.Topic.POLICY));
        c.commit();
        return seq;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new BundleStoreException(
          "cannot publish policy version " + version + ": " + e.getMessage(), e);
    }
  }

  private List<File> files(String text) {
    JsonNode array = json.readTree(text);
    if (!array.isArray()) {
      throw new IllegalArgumentException("its files are not a JSON array");
    }
    List<File> out = new ArrayList<>();
    for (JsonNode f : array) {
      if (!f.path("name").isString() || !f.path("text").isString()) {
        throw new IllegalArgumentException("a file has no name or text");
      }
      out.add(new File(f.path("name").asString(), f.path("text").asString()));
    }
    return out;
  }
}
