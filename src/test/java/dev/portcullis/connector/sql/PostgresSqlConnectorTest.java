package dev.portcullis.connector.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL connector contract on a real PostgreSQL: the local server on 127.0.0.1:5432 (trust
 * authentication, user postgres) when one listens, else an embedded one (also forced with {@code
 * -Dportcullis.test.embeddedPostgres=true}); one fresh database per test.
 */
class PostgresSqlConnectorTest extends SqlConnectorContract {
  private static String server;
  private static EmbeddedPostgres embedded;
  private String database;

  @BeforeAll
  static void findServer() throws IOException {
    boolean local;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 5432), 500);
      local = !Boolean.getBoolean("portcullis.test.embeddedPostgres");
    } catch (IOException e) {
      local = false;
    }
    if (local) {
      server = "jdbc:postgresql://127.0.0.1:5432/";
    } else {
      embedded = EmbeddedPostgres.builder().start();
      server = "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/";
    }
  }

  @AfterAll
  static void stopEmbedded() throws IOException {
    if (embedded != null) {
      embedded.close();
    }
  }

  @Override
  String jdbcUrl() throws SQLException {
    if (database == null) {
      database = "portcullis_sql_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      try (Connection c = DriverManager.getConnection(server + "postgres", "postgres", "");
          Statement st = c.createStatement()) {
        st.executeUpdate("CREATE DATABASE " + database);
      }
    }
    return server + database;
  }

  @Override
  String unreachableJdbcUrl() throws IOException {
    try (ServerSocket closed = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "jdbc:postgresql://127.0.0.1:" + closed.getLocalPort() + "/portcullis";
    }
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
      try (Connection c = DriverManager.getConnection(server + "postgres", "postgres", "");
          Statement st = c.createStatement()) {
        st.executeUpdate("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  @Test
  void guardRefusesSessionValuesThatPostgresAnswersAsIfTheyWereColumns() throws SQLException {
    assertThat(readDirectly("SELECT current_user FROM items"))
        .isNotEmpty()
        .allMatch("postgres"::equals);
    assertThat(readDirectly("SELECT current_user")).containsExactly("postgres");
    SqlGuard guard = new SqlGuard(SqlAllowlist.of(Map.of("items", List.of("*"))));
    assertThatThrownBy(() -> guard.check("SELECT current_user FROM items", 10))
        .isInstanceOf(SqlRefusedException.class)
        .hasMessage("refused: 'current_user' is not allowed; a query reads rows, not the session");
    assertThatThrownBy(() -> guard.check("SELECT current_user", 10))
        .isInstanceOf(SqlRefusedException.class)
        .hasMessage("refused: a SELECT without FROM is not allowed");
  }
}
