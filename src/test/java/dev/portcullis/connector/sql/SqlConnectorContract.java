package dev.portcullis.connector.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorContract;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.testing.Invocations;
import dev.portcullis.vault.SecretResolver;
import dev.portcullis.vault.SecretSources;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The SQL connector on a real database: the shared {@link ConnectorContract} (its fixture: a table
 * of items, two named queries, the database password as the credential) and what every database
 * behind the SQL connector must do besides. Each engine is a thin subclass.
 *
 * <p>A database cannot echo the password it was given, and a fixture cannot count the statements
 * that reached SQLite; the password is connection-wide (the pool opens connections with it), so it
 * needs a connector scope.
 */
abstract class SqlConnectorContract extends ConnectorContract {
  @TempDir Path data;
  private SqlConnector connector;
  private boolean unreachable;

  /** A JDBC URL to a fresh database the subclass owns. */
  abstract String jdbcUrl() throws Exception;

  /** A JDBC URL of the same engine where nothing answers. */
  abstract String unreachableJdbcUrl() throws Exception;

  abstract Optional<String> username();

  /** A writable connection to the same database, for fixtures and for checking nothing changed. */
  abstract Connection admin() throws SQLException;

  @BeforeEach
  void createFixture() throws Exception {
    String url = jdbcUrl();
    try (Connection c = admin();
        Statement st = c.createStatement()) {
      st.executeUpdate(
          "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, region TEXT, ssn TEXT)");
      st.executeUpdate(
          "INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', 'eu', '111'),"
              + " (2, 'Grace', 'grace@example.com', 'us', '222'), (3, 'Linus', 'linus@example.com', 'eu', '333')");
      st.executeUpdate("CREATE TABLE items (id TEXT PRIMARY KEY, label TEXT)");
      for (int i = 0; i < CONCURRENT_CALLS; i++) {
        st.executeUpdate("INSERT INTO items VALUES ('" + id(i) + "', 'item " + i + "')");
      }
    }
    connector = connector(url, 100);
  }

  @AfterEach
  void closeConnector() {
    connector.close();
  }

  @Override
  protected Connector newConnector(SecretResolver secrets) throws Exception {
    SqlAllowlist allowlist = SqlAllowlist.of(Map.of("items", List.of("id", "label")));
    SqlGuard guard = new SqlGuard(allowlist);
    Map<String, SqlOperation> ops =
        Map.of(
            TOOL,
                new SqlOperation.NamedQuery(
                    TOOL, guard.check("SELECT id, label FROM items WHERE id = :id", 10)),
            OTHER_TOOL,
                new SqlOperation.NamedQuery(
                    OTHER_TOOL, guard.check("SELECT id FROM items WHERE id = :id", 10)));
    String url = unreachable ? unreachableJdbcUrl() : jdbcUrl();
    ReadOnlyDataSource db =
        new ReadOnlyDataSource(
            CONNECTOR, url, username(), Optional.of(SECRET_REF), secrets, Duration.ofSeconds(2));
    return new SqlConnector(
        CONNECTOR, db, allowlist, ops, 10, Duration.ofSeconds(2), 8, Invocations.JSON);
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.noneOf(Capability.class);
  }

  @Override
  protected void makeUpstreamFail() throws SQLException {
    try (Connection c = admin();
        Statement st = c.createStatement()) {
      st.executeUpdate("DROP TABLE items");
    }
  }

  @Override
  protected void makeUpstreamUnreachable() {
    unreachable = true;
  }

  private SqlConnector connector(String url, int maxRows) throws SqlRefusedException {
    SqlAllowlist allowlist =
        SqlAllowlist.of(Map.of("customers", List.of("id", "name", "email", "region")));
    SqlGuard guard = new SqlGuard(allowlist);
    Map<String, SqlOperation> ops =
        Map.of(
            "customers_in_region",
                new SqlOperation.NamedQuery(
                    "customers_in_region",
                    guard.check(
                        "SELECT id, name FROM customers WHERE region = :region ORDER BY id",
                        maxRows)),
            "find_customers",
                new SqlOperation.AllowlistSelect(
                    "find_customers", "customers", List.of("id", "name", "email", "region")));
    ReadOnlyDataSource db =
        new ReadOnlyDataSource(
            "crm-db",
            url,
            username(),
            Optional.empty(),
            new SecretSources(Map.of(), data),
            Duration.ofSeconds(5));
    return new SqlConnector(
        "crm_db", db, allowlist, ops, maxRows, Duration.ofSeconds(5), 2, Invocations.JSON);
  }

  private JsonNode ok(String tool, String args) {
    ConnectorResult result = connector.invoke(Invocations.call("agent-1", tool, args));
    assertThat(result).isInstanceOf(ConnectorResult.Success.class);
    return ((ConnectorResult.Success) result).value();
  }

  private ConnectorResult.Failure failed(String tool, String args) {
    ConnectorResult result = connector.invoke(Invocations.call("agent-1", tool, args));
    assertThat(result).isInstanceOf(ConnectorResult.Failure.class);
    return (ConnectorResult.Failure) result;
  }

  private int customerCount() throws SQLException {
    try (Connection c = admin();
        Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM customers")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void namedQueryReturnsRowsForBoundArgument() {
    assertThat(ok("customers_in_region", "{\"region\":\"eu\"}").toString())
        .isEqualTo(
            "{\"rows\":[{\"id\":1,\"name\":\"Ada\"},{\"id\":3,\"name\":\"Linus\"}],\"truncated\":false}");
  }

  @Test
  void injectionInAnArgumentIsBoundAsAValueAndDoesNothing() throws SQLException {
    assertThat(ok("customers_in_region", "{\"region\":\"eu' OR '1'='1\"}").path("rows").size())
        .isZero();
    assertThat(
            ok("customers_in_region", "{\"region\":\"x'; DROP TABLE customers; --\"}")
                .path("rows")
                .size())
        .isZero();
    assertThat(
            ok("find_customers", "{\"where\":{\"region\":\"eu' OR 1=1 --\"}}").path("rows").size())
        .isZero();
    assertThat(customerCount()).isEqualTo(3);
  }

  @Test
  void rowLimitTruncatesAndSaysSo() throws Exception {
    connector.close();
    connector = connector(jdbcUrl(), 2);
    JsonNode all = ok("customers_in_region", "{\"region\":\"eu\"}");
    assertThat(all.path("truncated").asBoolean()).isFalse();
    JsonNode some = ok("find_customers", "{\"columns\":[\"id\"]}");
    assertThat(some.path("rows").size()).isEqualTo(2);
    assertThat(some.path("truncated").asBoolean()).isTrue();
  }

  @Test
  void allowlistSelectReturnsChosenColumnsFilteredAndLimited() {
    JsonNode out =
        ok(
            "find_customers",
            "{\"columns\":[\"name\",\"email\"],\"where\":{\"region\":\"eu\"},\"limit\":1}");
    assertThat(out.toString())
        .isEqualTo(
            "{\"rows\":[{\"name\":\"Ada\",\"email\":\"ada@example.com\"}],\"truncated\":true}");
  }

  @Test
  void allowlistSelectRefusesAColumnOutsideTheAllowlist() {
    ConnectorResult.Failure f = failed("find_customers", "{\"columns\":[\"ssn\"]}");
    assertThat(f.kind()).isEqualTo(FailureKind.UPSTREAM_REJECTED);
    assertThat(f.detail()).isEqualTo("refused: columns: column 'ssn' is not allowlisted");
  }

  @Test
  void allowlistSelectRefusesAFilterOnAColumnOutsideTheAllowlist() {
    ConnectorResult.Failure f = failed("find_customers", "{\"where\":{\"ssn\":\"111\"}}");
    assertThat(f.detail()).isEqualTo("refused: where: column 'ssn' is not allowlisted");
  }

  @Test
  void allowlistSelectRefusesAnInjectedColumnName() {
    ConnectorResult.Failure f =
        failed("find_customers", "{\"columns\":[\"id FROM customers; DROP TABLE customers\"]}");
    assertThat(f.detail()).startsWith("refused: columns: column 'id FROM customers;");
  }

  @Test
  void theConnectionItselfRefusesWrites() throws SQLException {
    try (Connection c = connector.dataSource().getConnection();
        Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.executeUpdate("DELETE FROM customers"))
          .isInstanceOf(SQLException.class);
    }
    try (Connection c = connector.dataSource().getConnection();
        Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.executeUpdate("CREATE TABLE stolen (x INTEGER)"))
          .isInstanceOf(SQLException.class);
    }
    assertThat(customerCount()).isEqualTo(3);
  }

  /** One column of every row {@code sql} returns on this database, read as the admin. */
  List<String> readDirectly(String sql) throws SQLException {
    List<String> out = new java.util.ArrayList<>();
    try (Connection c = admin();
        Statement st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Test
  void guardRefusesAnAliasReusedInASubqueryThatThisDatabaseResolvesToTheOuterRelation()
      throws SQLException {
    // The outer c is customers here, whatever the subquery calls c: the statement reads every ssn.
    String leak = "SELECT c.ssn FROM customers c WHERE EXISTS (SELECT c.id FROM items c)";
    assertThat(readDirectly(leak)).containsExactlyInAnyOrder("111", "222", "333");
    SqlGuard guard =
        new SqlGuard(
            SqlAllowlist.of(
                Map.of(
                    "customers", List.of("id", "name", "email", "region"), "items", List.of("*"))));
    assertThatThrownBy(() -> guard.check(leak, 10))
        .isInstanceOf(SqlRefusedException.class)
        .hasMessage("refused: column 'customers.ssn' is not allowlisted");
  }

  @Test
  void correlatedSubqueryWithDistinctAliasesRunsOnThisDatabase() throws Exception {
    SqlAllowlist allowlist =
        SqlAllowlist.of(
            Map.of("customers", List.of("id", "name", "email", "region"), "items", List.of("*")));
    GuardedQuery q =
        new SqlGuard(allowlist)
            .check(
                "SELECT c.name FROM customers c WHERE c.region = :region AND EXISTS "
                    + "(SELECT i.id FROM items i WHERE i.label = 'item 1') ORDER BY c.id",
                10);
    ReadOnlyDataSource db =
        new ReadOnlyDataSource(
            "crm-db",
            jdbcUrl(),
            username(),
            Optional.empty(),
            new SecretSources(Map.of(), data),
            Duration.ofSeconds(5));
    try (SqlConnector scoped =
        new SqlConnector(
            "crm_db",
            db,
            allowlist,
            Map.of("eu_names", new SqlOperation.NamedQuery("eu_names", q)),
            10,
            Duration.ofSeconds(5),
            2,
            Invocations.JSON)) {
      ConnectorResult result =
          scoped.invoke(Invocations.call("agent-1", "eu_names", "{\"region\":\"eu\"}"));
      assertThat(((ConnectorResult.Success) result).value().path("rows").toString())
          .isEqualTo("[{\"name\":\"Ada\"},{\"name\":\"Linus\"}]");
    }
  }
}
