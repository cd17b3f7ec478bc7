package dev.portcullis.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Keys an installation generates for itself once and keeps in its store, by name: the first
 * caller's key wins and every later caller, on this node or another sharing the store, gets it.
 *
 * <p>Security: whoever can read the data directory can read these keys; they protect against
 * parties outside the installation (an upstream, an agent), not against its operators.
 */
public final class InstallationKeys {
  private final DataSource dataSource;
  private final Clock clock;

  public InstallationKeys(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** The key named {@code name}, created from {@code fresh} if there is none yet. */
  public byte[] getOrCreate(String name, Supplier<byte[]> fresh) {
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO installation_keys (name, key, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
        ps.setString(1, name);
        ps.setBytes(2, fresh.get());
        ps.setString(3, clock.instant().toString());
        ps.executeUpdate();
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT key FROM installation_keys WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new IllegalStateException(
                "installation key " + name + " vanished right after it was written");
          }
          return rs.getBytes(1);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read or create the installation key " + name + ": " + e.getMessage(), e);
    }
  }
}
