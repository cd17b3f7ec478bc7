package dev.portcullis.connector.sql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

/** The SQL connector contract on a real SQLite file. */
class SqliteSqlConnectorTest extends SqlConnectorContract {
  private String url() {
    return "jdbc:sqlite:" + data.resolve("crm.db");
  }

  @Override
  String jdbcUrl() {
    return url();
  }

  @Override
  String unreachableJdbcUrl() {
    return "jdbc:sqlite:" + data.resolve("no-such-directory/crm.db");
  }

  @Override
  Optional<String> username() {
    return Optional.empty();
  }

  @Override
  Connection admin() throws SQLException {
    return DriverManager.getConnection(url());
  }
}
