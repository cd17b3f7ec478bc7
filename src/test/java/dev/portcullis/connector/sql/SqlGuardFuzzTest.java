package dev.portcullis.connector.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.JdbcNamedParameter;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Arbitrary SQL text through the guard: it is refused ({@link SqlRefusedException}) or accepted,
 * nothing else escapes; and what it accepts, parsed again independently, is one SELECT over
 * allowlisted relations only, with exactly as many {@code ?} as parameters to bind, each named in
 * the text as written (blanks aside: the parser reads {@code : name} as {@code name}).
 */
class SqlGuardFuzzTest {
  private static final SqlAllowlist ALLOWLIST =
      SqlAllowlist.of(
          Map.of(
              "customers", List.of("id", "name", "email", "region"),
              "orders", List.of("id", "customer_id", "total"),
              "public.invoices", List.of("id", "total"),
              "open_tickets", List.of("*")));
  private static final SqlGuard GUARD = new SqlGuard(ALLOWLIST);
  private static final int MAX_ROWS = 10;

  @FuzzTest
  @DictionaryEntries({
    "SELECT ",
    " FROM ",
    " WHERE ",
    " JOIN ",
    " ON ",
    " UNION ",
    " IN (",
    " AS ",
    "customers",
    "orders",
    "public.invoices",
    "open_tickets",
    "secrets",
    "id",
    "name",
    "email",
    "region",
    "customer_id",
    "total",
    ":region",
    ":portcullis_p0_",
    ":portcullis_p1_",
    "?",
    "'",
    "\"",
    "`",
    "count(",
    "lower(",
    "pg_sleep(",
    " WITH ",
    " INTO ",
    " FOR UPDATE",
    " VALUES ",
    "*",
    "c.",
    " LATERAL ",
    " EXCEPT ",
    " LIMIT "
  })
  void acceptsOnlyOneSelectOverAllowlistedRelations(byte[] text) throws JSQLParserException {
    String sql = new String(text, StandardCharsets.UTF_8);
    GuardedQuery accepted;
    try {
      accepted = GUARD.check(sql, MAX_ROWS);
    } catch (SqlRefusedException refused) {
      assertThat(refused.getMessage()).startsWith("refused: ");
      return;
    }
    String jdbc = accepted.jdbcSql();
    assertThat(jdbc)
        .startsWith("SELECT * FROM (")
        .endsWith(") AS portcullis_rows LIMIT " + (MAX_ROWS + 1));

    Statements again = CCJSqlParserUtil.parseStatements(jdbc);
    assertThat(again).as(jdbc).hasSize(1);
    Statement statement = again.getFirst();
    assertThat(statement).as(jdbc).isInstanceOf(Select.class);
    Census census = new Census();
    for (String table : census.getTables(statement)) {
      assertThat(ALLOWLIST.relations()).as(jdbc).contains(SqlAllowlist.norm(table));
    }
    assertThat(census.named).as(jdbc).isEmpty();
    assertThat(census.positional).as(jdbc).isEqualTo(accepted.parameters().size());
    String unblanked = sql.replaceAll("\\s", "");
    for (String name : accepted.parameters()) {
      // The parser reads ': name' as 'name' and ':a .b' as 'a.b': blanks do not count.
      assertThat(unblanked)
          .as("parameter %s of %s", name, jdbc)
          .contains(":" + name.replaceAll("\\s", ""));
    }
  }

  /** Collects the tables (by the parser's own finder) and the parameters of a parsed statement. */
  private static final class Census extends TablesNamesFinder<Void> {
    int positional;
    final List<String> named = new ArrayList<>();

    @Override
    public <S> Void visit(JdbcParameter parameter, S context) {
      positional++;
      return super.visit(parameter, context);
    }

    @Override
    public <S> Void visit(JdbcNamedParameter parameter, S context) {
      named.add(parameter.getName());
      return super.visit(parameter, context);
    }
  }
}
