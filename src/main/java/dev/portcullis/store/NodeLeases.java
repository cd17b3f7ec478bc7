package dev.portcullis.store;

import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.NodeLease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's lease in {@code gateway_nodes}: a row naming the node and when its lease ends, which
 * {@link JdbcInvocationStore#orphaned} reads to tell a live node's calls from a dead one's.
 *
 * <p>Each renewal also writes the version of the policy the node has in force ({@code
 * policy_version}), so an operator sees with one query which policy every node runs.
 *
 * <p>The rows of nodes whose lease lapsed more than {@link #FORGET_AFTER} ago are removed at each
 * renewal, so a fleet that restarts often does not pile them up.
 *
 * <p>Time: the lease is written in this node's clock (milliseconds since the epoch) and read in the
 * reading node's, so nodes must keep their clocks in step (NTP) to well within {@link #ttl}.
 */
public final class NodeLeases implements NodeLease {
  private static final Logger LOG = LoggerFactory.getLogger(NodeLeases.class);
  private static final String RENEW =
      "INSERT INTO gateway_nodes (node, started_at, lease_until, policy_version) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (node) DO UPDATE SET lease_until = excluded.lease_until,"
          + " policy_version = excluded.policy_version";
  private static final String FORGET =
      "DELETE FROM gateway_nodes WHERE lease_until < ? AND node <> ?";
  private static final String LIST =
      "SELECT node, started_at, lease_until, policy_version FROM gateway_nodes"
          + " ORDER BY started_at, node";

  /** One node as its lease row shows it; {@code policyVersion} null before a node wrote one. */
  public record Seen(String node, Instant startedAt, Instant leaseUntil, String policyVersion) {
    /** Whether its lease still holds at {@code now}. */
    public boolean live(Instant now) {
      return leaseUntil.isAfter(now);
    }
  }

  /**
   * Every node {@code database} has seen in the last hour (a lapsed lease's row is removed an hour
   * after it lapsed), oldest start first; empty on a store one node owns.
   */
  public static List<Seen> seen(Database database) throws SQLException {
    List<Seen> all = new ArrayList<>();
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement(LIST);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        all.add(
            new Seen(
                rs.getString(1),
                Instant.ofEpochMilli(rs.getLong(2)),
                Instant.ofEpochMilli(rs.getLong(3)),
                rs.getString(4)));
      }
    }
    return all;
  }

  /**
   * How long after its lease lapsed a node's row is kept. Its calls no longer depend on it (a call
   * of a node with no row is settled as one of a node whose lease lapsed): it only says when the
   * node was last seen.
   */
  static final Duration FORGET_AFTER = Duration.ofHours(1);

  private final DataSource dataSource;
  private final String node;
  private final Duration ttl;
  private final Supplier<String> policyVersion;

  /** The lease of {@code database}'s node, each renewal good for {@code ttl}. */
  public NodeLeases(Database database, Duration ttl) {
    this(database, ttl, () -> null);
  }

  /**
   * As above, each renewal also writing the version of the policy this node has in force ({@code
   * policyVersion}), so that {@code gateway_nodes} shows which policy every node runs.
   */
  public NodeLeases(Database database, Duration ttl, Supplier<String> policyVersion) {
    this.dataSource = database.dataSource();
    this.node = Objects.requireNonNull(database.node(), "a store one node owns has no leases");
    this.ttl = ttl;
    this.policyVersion = policyVersion;
  }

  @Override
  public void renew(Instant now) throws StoreException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(RENEW)) {
      ps.setString(1, node);
      ps.setLong(2, now.toEpochMilli());
      ps.setLong(3, now.plus(ttl).toEpochMilli());
      ps.setString(4, policyVersion.get());
      ps.executeUpdate();
      try (PreparedStatement forget = c.prepareStatement(FORGET)) {
        forget.setLong(1, now.minus(FORGET_AFTER).toEpochMilli());
        forget.setString(2, node);
        forget.executeUpdate();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot renew node " + node + "'s lease: " + e.getMessage(), e);
    }
  }

  @Override
  public void end() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM gateway_nodes WHERE node = ?")) {
      ps.setString(1, node);
      ps.executeUpdate();
    } catch (SQLException e) {
      LOG.warn("cannot end node {}'s lease (it lapses by itself): {}", node, e.getMessage());
    }
  }
}
