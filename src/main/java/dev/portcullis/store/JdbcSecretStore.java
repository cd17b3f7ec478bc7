package dev.portcullis.store;

import dev.portcullis.vault.EnvelopeCipher;
import dev.portcullis.vault.SecretStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Sealed vault secrets in the embedded database. Reads go to the database on every call, so a
 * version added or revoked by {@code portcullis vault} in another process is seen at once.
 */
public final class JdbcSecretStore implements SecretStore {
  private static final String COLUMNS =
      "name, version, scopes, wrapped_key, ciphertext, created_at, revoked_at, seal_format";

  private final DataSource dataSource;

  public JdbcSecretStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public void insert(SealedSecret s) throws VaultException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO vault_secrets (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)")) {
      ps.setString(1, s.name());
      ps.setInt(2, s.version());
      ps.setString(3, String.join(",", new TreeSet<>(s.scopes())));
      ps.setBytes(4, s.sealed().wrappedKey());
      ps.setBytes(5, s.sealed().ciphertext());
      ps.setString(6, s.createdAt().toString());
      ps.setString(7, s.revokedAt() == null ? null : s.revokedAt().toString());
      ps.setInt(8, s.sealFormat());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new VaultException(
          "cannot store " + s.name() + " version " + s.version() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<SealedSecret> latest(String name) throws VaultException {
    return one(
        "SELECT " + COLUMNS + " FROM vault_secrets WHERE name = ? ORDER BY version DESC LIMIT 1",
        name);
  }

  @Override
  public List<SealedSecret> active(String name) throws VaultException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM vault_secrets WHERE name = ? AND revoked_at IS NULL ORDER BY version DESC")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        List<SealedSecret> out = new ArrayList<>();
        while (rs.next()) {
          out.add(read(rs));
        }
        return out;
      }
    } catch (SQLException e) {
      throw new VaultException("cannot read " + name + " from the vault: " + e.getMessage(), e);
    }
  }

  @Override
  public int revoke(String name, Integer version, Instant at) throws VaultException {
    String sql =
        "UPDATE vault_secrets SET revoked_at = ?, ciphertext = ?"
            + " WHERE name = ? AND revoked_at IS NULL"
            + (version == null ? "" : " AND version = ?");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, at.toString());
      ps.setBytes(
          2, new byte[0]); // the sealed value goes; the row stays, saying when it was revoked
      ps.setString(3, name);
      if (version != null) {
        ps.setInt(4, version);
      }
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new VaultException("cannot revoke " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean reseal(String name, int version, EnvelopeCipher.Sealed bound)
      throws VaultException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE vault_secrets SET wrapped_key = ?, ciphertext = ?,"
                    + " seal_format = "
                    + SealedSecret.BOUND
                    + " WHERE name = ? AND version = ? AND revoked_at IS NULL"
                    + " AND seal_format = "
                    + SealedSecret.UNBOUND)) {
      ps.setBytes(1, bound.wrappedKey());
      ps.setBytes(2, bound.ciphertext());
      ps.setString(3, name);
      ps.setInt(4, version);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new VaultException(
          "cannot re-seal " + name + " version " + version + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<SealedSecret> list() throws VaultException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM vault_secrets ORDER BY name, version");
        ResultSet rs = ps.executeQuery()) {
      List<SealedSecret> out = new ArrayList<>();
      while (rs.next()) {
        out.add(read(rs));
      }
      return out;
    } catch (SQLException e) {
      throw new VaultException("cannot list the vault: " + e.getMessage(), e);
    }
  }

  private Optional<SealedSecret> one(String sql, String name) throws VaultException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new VaultException("cannot read " + name + " from the vault: " + e.getMessage(), e);
    }
  }

  private static SealedSecret read(ResultSet rs) throws SQLException {
    String scopes = rs.getString("scopes");
    String revoked = rs.getString("revoked_at");
    return new SealedSecret(
        rs.getString("name"),
        rs.getInt("version"),
        scopes.isEmpty() ? Set.of() : Set.of(scopes.split(",", -1)),
        new EnvelopeCipher.Sealed(rs.getBytes("wrapped_key"), rs.getBytes("ciphertext")),
        Instant.parse(rs.getString("created_at")),
        revoked == null ? null : Instant.parse(revoked),
        rs.getInt("seal_format"));
  }
}
