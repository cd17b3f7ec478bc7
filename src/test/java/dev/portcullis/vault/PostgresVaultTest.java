package dev.portcullis.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.store.Database;
import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.Postgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The same cases as {@link VaultTest}, on PostgreSQL: sealing, rotation, revocation (which binds an
 * empty value) and re-sealing through the store, and changes made in the database behind the
 * vault's back.
 */
class PostgresVaultTest extends VaultTest {
  @Override
  protected Database openDatabase() {
    return PostgresDatabase.open(Postgres.freshDatabase());
  }

  /** On PostgreSQL there is no file to read: every stored column of every row is read instead. */
  @Override
  @Test
  void theDatabaseFileNeverHoldsTheValue() throws Exception {
    vault().put("acme-token", bytes(VALUE), Set.of("acme"));

    int columns = 0;
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM vault_secrets")) {
      while (rs.next()) {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          byte[] stored =
              rs.getMetaData().getColumnTypeName(i).equals("bytea")
                  ? rs.getBytes(i)
                  : String.valueOf(rs.getString(i)).getBytes(StandardCharsets.UTF_8);
          assertThat(new String(stored, StandardCharsets.ISO_8859_1))
              .as(rs.getMetaData().getColumnName(i))
              .doesNotContain(VALUE);
          columns++;
        }
      }
    }
    assertThat(columns).as("a row was read").isPositive();
  }
}
