package dev.portcullis.connector.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The guard against the attacks it exists for, each refused with its exact message. */
class SqlGuardTest {
  private final SqlGuard guard =
      new SqlGuard(
          SqlAllowlist.of(
              Map.of(
                  "customers", List.of("id", "name", "email", "region"),
                  "orders", List.of("id", "customer_id", "total"),
                  "open_tickets", List.of("*"))));

  private void refused(String sql, String message) {
    assertThatThrownBy(() -> guard.check(sql, 10)).isInstanceOf(SqlRefusedException.class).hasMessage(message);
  }

  @Test
  void acceptsSelectOverAllowedColumnsAndWrapsItInALimit() throws SqlRefusedException {
    GuardedQuery q = guard.check("SELECT id, name FROM customers WHERE region = :region", 10);
    assertThat(q.jdbcSql()).isEqualTo(
        "SELECT * FROM (SELECT id, name FROM customers WHERE region = ?) AS portcullis_rows LIMIT 11");
    assertThat(q.parameters()).containsExactly("region");
  }

  @Test
  void bindsNamedParametersInTextOrderAndRepeatsThem() throws SqlRefusedException {
    GuardedQuery q = guard.check(
        "SELECT c.name, o.total FROM customers c JOIN orders o ON o.customer_id = c.id "
            + "WHERE o.total > :min AND c.region = :region AND o.total < :min", 5);
    assertThat(q.parameters()).containsExactly("min", "region", "min");
    assertThat(q.jdbcSql()).doesNotContain(":");
  }

  @Test
  void acceptsUnionAndSubqueriesOverAllowedRelations() throws SqlRefusedException {
    guard.check("SELECT id FROM customers UNION SELECT id FROM orders", 10);
    guard.check(
        "SELECT c.name FROM customers c WHERE c.id IN (SELECT o.customer_id FROM orders o WHERE o.total > 10)", 10);
    guard.check("SELECT count(id), max(total) FROM orders", 10);
    guard.check("SELECT * FROM open_tickets", 10);
  }

  @Test
  void refusesTheFromFirstFormThatSelectsEveryColumn() {
    refused("FROM customers", "refused: a query must start with SELECT ('FROM t' and '|>' pipes are not allowed)");
    refused("FROM customers |> SELECT email",
        "refused: a query must start with SELECT ('FROM t' and '|>' pipes are not allowed)");
  }

  @Test
  void refusesControlCharactersAtWhichTheParserStopsReading() {
    // JSqlParser ignores what follows \u0001: the guard would check (and send) less than was written.
    refused("SELECT id FROM customers \u0001 UNION SELECT secret FROM vault",
        "refused: control characters are not allowed");
    refused("SELECT id FROM customers WHERE name = 'a\u0000'", "refused: control characters are not allowed");
  }

  @Test
  void acceptsTabsAndLineBreaks() throws SqlRefusedException {
    guard.check("SELECT id,\tname\r\nFROM customers\nWHERE region = :region", 10);
  }

  @Test
  void refusesAmpersandParameters() {
    refused("SELECT id FROM customers WHERE region = &region AND name = :name",
        "refused: only :name parameters are allowed, not '&region'");
  }

  @Test
  void refusesTheGatewaysOwnParameterMarkerNames() {
    // In a literal it was rewritten to '?' (or, with no parameter at all, threw IndexOutOfBoundsException).
    refused("SELECT id FROM customers WHERE region = :r AND name = ':portcullis_p0_'",
        "refused: 'portcullis_p' is reserved for the gateway's parameter markers");
    refused("SELECT id FROM customers WHERE name = ':PORTCULLIS_P7_'",
        "refused: 'portcullis_p' is reserved for the gateway's parameter markers");
  }

  @Test
  void refusesWhatTheParserPrintsButCannotReadBack() {
    // Read as a SELECT of '* WREHE, ~*.o', printed as such, and that does not parse.
    refused("SEL*WREHE,~ *.o", "refused: the statement does not read back as itself once printed");
  }

  @Test
  void refusesUpdate() {
    refused("UPDATE customers SET name = 'x'", "refused: only SELECT is allowed, not UPDATE");
  }

  @Test
  void refusesDelete() {
    refused("DELETE FROM customers", "refused: only SELECT is allowed, not DELETE");
  }

  @Test
  void refusesDropAfterSemicolon() {
    refused("SELECT id FROM customers; DROP TABLE customers", "refused: ';' is not allowed (one statement only)");
  }

  @Test
  void refusesASecondStatementEvenWithoutSemicolonTricks() {
    refused("SELECT id FROM customers;SELECT id FROM orders", "refused: ';' is not allowed (one statement only)");
  }

  @Test
  void refusesLineCommentHidingTheRest() {
    refused("SELECT id FROM customers -- WHERE region = 'eu'", "refused: comments are not allowed ('--')");
  }

  @Test
  void refusesBlockCommentHidingAStatement() {
    refused("SELECT id FROM customers /* ; DROP TABLE customers */", "refused: comments are not allowed ('/*')");
  }

  @Test
  void refusesMysqlExecutableComment() {
    refused("SELECT id FROM customers /*!50000 UNION SELECT 1 */", "refused: comments are not allowed ('/*')");
  }

  @Test
  void refusesHashComment() {
    refused("SELECT id FROM customers # x", "refused: comments are not allowed ('#')");
  }

  @Test
  void refusesDisallowedTable() {
    refused("SELECT id FROM secrets", "refused: table or view 'secrets' is not allowlisted");
  }

  @Test
  void refusesSchemaQualifiedSystemCatalog() {
    refused("SELECT usename FROM pg_catalog.pg_user", "refused: table or view 'pg_catalog.pg_user' is not allowlisted");
  }

  @Test
  void refusesUnionToDisallowedTable() {
    refused("SELECT name FROM customers UNION SELECT password FROM users",
        "refused: table or view 'users' is not allowlisted");
  }

  @Test
  void refusesSubqueryOverDisallowedTable() {
    refused("SELECT name FROM customers WHERE id IN (SELECT customer_id FROM payments)",
        "refused: table or view 'payments' is not allowlisted");
  }

  @Test
  void refusesDisallowedColumn() {
    refused("SELECT id, ssn FROM customers", "refused: column 'ssn' is not allowlisted in 'customers'");
  }

  @Test
  void refusesQualifiedDisallowedColumnThroughAlias() {
    refused("SELECT c.ssn FROM customers c", "refused: column 'customers.ssn' is not allowlisted");
  }

  @Test
  void refusesUnqualifiedColumnNotAllowedInEveryJoinedRelation() {
    refused("SELECT total FROM customers JOIN orders ON orders.customer_id = customers.id",
        "refused: column 'total' is not allowlisted in 'customers'");
  }

  @Test
  void refusesUnqualifiedColumnThatASubqueryRelationDoesNotAllow() {
    refused("SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders)",
        "refused: column 'name' is not allowlisted in 'orders'");
  }

  @Test
  void refusesStarWhenNotAllowed() {
    refused("SELECT * FROM customers", "refused: SELECT * is not allowed on 'customers'; name the columns");
  }

  @Test
  void refusesTableStarWhenNotAllowed() {
    refused("SELECT c.* FROM customers c", "refused: SELECT * is not allowed on 'customers'; name the columns");
  }

  @Test
  void refusesForUpdate() {
    refused("SELECT id FROM customers FOR UPDATE", "refused: FOR UPDATE/SHARE is not allowed");
  }

  @Test
  void refusesDataModifyingCte() {
    refused("WITH x AS (DELETE FROM customers RETURNING id) SELECT id FROM x", "refused: WITH is not allowed");
  }

  @Test
  void refusesEvenAReadOnlyCte() {
    refused("WITH x AS (SELECT id FROM customers) SELECT id FROM x", "refused: WITH is not allowed");
  }

  @Test
  void refusesSelectInto() {
    refused("SELECT id INTO stolen FROM customers", "refused: SELECT INTO is not allowed");
  }

  @Test
  void refusesSleepAndOtherFunctions() {
    refused("SELECT pg_sleep(10) FROM customers", "refused: function 'pg_sleep' is not allowed");
    refused("SELECT id FROM customers WHERE name = pg_read_file('/etc/passwd')",
        "refused: function 'pg_read_file' is not allowed");
  }

  @Test
  void refusesTableFunctionInFrom() {
    refused("SELECT * FROM generate_series(1, 10)", "refused: table function 'generate_series' is not allowed");
  }

  @Test
  void refusesPositionalParameters() {
    refused("SELECT id FROM customers WHERE id = ?", "refused: positional '?' parameters are not allowed; use :name");
  }

  @Test
  void refusesInsertAndDdl() {
    refused("INSERT INTO customers (id) VALUES (1)", "refused: only SELECT is allowed, not INSERT");
    refused("DROP TABLE customers", "refused: only SELECT is allowed, not DROP");
  }

  @Test
  void refusesGarbage() {
    refused("SELEC id FROM", "refused: not a statement this gateway can parse");
  }
}
