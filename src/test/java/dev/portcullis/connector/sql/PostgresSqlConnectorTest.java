package dev.portcullis.connector.sql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The SQL connector contract on a real PostgreSQL: the local server on 127.0.0.1:5432 (trust
 * authentication, user postgres), one fresh database per test. Skipped where no server listens.
 */
class PostgresSqlConnectorTest extends SqlConnectorContract {
  private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
  private String database;

  @BeforeAll
  static void requireLocalServer() {
    boolean up;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 5432), 500);
      up = true;
    } catch (IOException e) {
      up = false;
    }
    assumeTrue(up, "no PostgreSQL on 127.0.0.1:5432");
  }

  @Override
  String jdbcUrl() throws SQLException {
    if (database == null) {
      database = "portcullis_sql_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
          Statement st = c.createStatement()) {
        st.executeUpdate("CREATE DATABASE " + database);
      }
    }
    return SERVER + database;
  }

  @Override
  Optional<String> username() {
    return Optional.of("postgres");
  }

  @Override
  Connection admin() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), "postgres", "");
  }

  @AfterEach
  void dropDatabase() throws SQLException {
    if (database != null) {
      try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
          Statement st = c.createStatement()) {
        st.executeUpdate("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }
}
