package dev.portcullis.connector.sql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcNamedParameter;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.piped.FromQuery;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Parses one SQL statement and lets it through only if it is a single plain SELECT over
 * allowlisted relations and columns; the statement it returns always carries a row limit.
 *
 * <p>Security: the rules, each refused with its own message —
 *
 * <ol>
 *   <li>no comments ({@code --}, {@code /*}, {@code #}) and no {@code ;} anywhere in the text, even
 *       inside a string literal: configured queries never need them and they are how a second
 *       statement hides; no control characters but tab, CR and LF (the parser stops reading at some,
 *       so it would check less than the text says); not the prefix of the gateway's own parameter
 *       markers, {@code portcullis_p}, which would otherwise be rewritten (or fail) as one;
 *   <li>exactly one statement, and it is a SELECT (plain, UNION/INTERSECT/EXCEPT, subqueries), not
 *       the piped {@code FROM t |> …} form the parser also reads as a query;
 *   <li>no WITH (so no data-modifying CTE), no SELECT INTO, no FOR UPDATE/SHARE, no VALUES, no
 *       table functions in FROM, no positional {@code ?} or {@code &name} parameters (only {@code
 *       :name});
 *   <li>every table or view anywhere in it (FROM, JOIN, subqueries, set operations) is
 *       allowlisted;
 *   <li>every column is allowlisted: a qualified column in the relation its qualifier names, an
 *       unqualified one in every relation of the statement; {@code *} only where the allowlist
 *       says {@code *};
 *   <li>functions only from a small allowlist of pure ones ({@link #FUNCTIONS}), so nothing like
 *       {@code pg_sleep}, {@code pg_read_file}, {@code dblink}, {@code set_config} or {@code
 *       load_extension}.
 * </ol>
 *
 * <p>The accepted statement is printed by the parser, read back (it must parse to itself: a
 * statement the parser prints but cannot read is refused) and wrapped as {@code SELECT * FROM (…)
 * AS portcullis_rows LIMIT n}.
 *
 * <p>Concurrency: immutable; {@link #check} may be called from many threads.
 */
public final class SqlGuard {
  /** Pure functions a query may call. Everything else is refused. */
  public static final Set<String> FUNCTIONS =
      Set.of("count", "sum", "min", "max", "avg", "lower", "upper", "coalesce", "nullif", "length", "abs",
          "round", "trim");

  private static final Pattern FORBIDDEN_TEXT = Pattern.compile("--|/\\*|\\*/|#|;");
  private static final Pattern MARKER = Pattern.compile(":portcullis_p([0-9]+)_");
  /** The markers' prefix: text that holds it anywhere (a literal, a name) could pass for a marker. */
  private static final Pattern RESERVED = Pattern.compile("portcullis_p", Pattern.CASE_INSENSITIVE);

  private final SqlAllowlist allowlist;

  public SqlGuard(SqlAllowlist allowlist) {
    this.allowlist = allowlist;
  }

  /**
   * Checks {@code sql} and returns it ready for JDBC, limited to {@code maxRows}.
   *
   * @throws SqlRefusedException naming the first rule the statement breaks
   */
  public GuardedQuery check(String sql, int maxRows) throws SqlRefusedException {
    Matcher forbidden = FORBIDDEN_TEXT.matcher(sql);
    if (forbidden.find()) {
      throw new SqlRefusedException(
          forbidden.group().equals(";")
              ? "refused: ';' is not allowed (one statement only)"
              : "refused: comments are not allowed ('" + forbidden.group() + "')");
    }
    if (sql.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r')) {
      throw new SqlRefusedException("refused: control characters are not allowed");
    }
    if (RESERVED.matcher(sql).find()) {
      throw new SqlRefusedException("refused: 'portcullis_p' is reserved for the gateway's parameter markers");
    }
    Statements statements;
    try {
      statements = CCJSqlParserUtil.parseStatements(sql);
    } catch (JSQLParserException | RuntimeException e) {
      throw new SqlRefusedException("refused: not a statement this gateway can parse");
    }
    if (statements.size() != 1) {
      throw new SqlRefusedException("refused: exactly one statement is allowed, found " + statements.size());
    }
    Statement statement = statements.getFirst();
    if (!(statement instanceof Select select)) {
      throw new SqlRefusedException(
          "refused: only SELECT is allowed, not " + statement.getClass().getSimpleName().toUpperCase(Locale.ROOT));
    }
    Walker walker = new Walker();
    try {
      walker.getTables((Statement) select);
    } catch (Refusal r) {
      throw new SqlRefusedException(r.getMessage());
    } catch (RuntimeException e) {
      throw new SqlRefusedException("refused: the statement uses a construct this gateway does not allow");
    }
    walker.checkColumns();
    // Named parameters become numbered markers, then '?' in text order, so binding follows the text.
    List<JdbcNamedParameter> named = walker.parameters;
    for (int i = 0; i < named.size(); i++) {
      named.get(i).setName("portcullis_p" + i + "_");
    }
    String printed = select.toString();
    List<String> order = new ArrayList<>();
    Matcher m = MARKER.matcher(printed);
    StringBuilder jdbc = new StringBuilder();
    while (m.find()) {
      order.add(walker.parameterNames.get(Integer.parseInt(m.group(1))));
      m.appendReplacement(jdbc, "?");
    }
    m.appendTail(jdbc);
    rereads(jdbc.toString());
    String wrapped = "SELECT * FROM (" + jdbc + ") AS portcullis_rows LIMIT " + (maxRows + 1);
    return new GuardedQuery(wrapped, order, maxRows);
  }

  /**
   * What is sent is the parser's printed form of the checked statement: it must read back as one
   * statement that prints the same, or the database would run something the checks never saw.
   */
  private static void rereads(String printed) throws SqlRefusedException {
    Statements again;
    try {
      again = CCJSqlParserUtil.parseStatements(printed);
    } catch (JSQLParserException | RuntimeException e) {
      again = null;
    }
    if (again == null || again.size() != 1 || !(again.getFirst() instanceof Select)
        || !again.getFirst().toString().equals(printed)) {
      throw new SqlRefusedException("refused: the statement does not read back as itself once printed");
    }
  }

  /** Refusal raised from inside the visitor, whose methods cannot throw checked exceptions. */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal(String message) {
      super(message, null, false, false);
    }
  }

  /** Walks every node of the statement, collecting relations, columns and parameters. */
  private final class Walker extends TablesNamesFinder<Void> {
    final Set<String> relations = new LinkedHashSet<>();
    final Map<String, String> aliases = new HashMap<>();
    final List<Column> columns = new ArrayList<>();
    final List<AllTableColumns> tableStars = new ArrayList<>();
    boolean star;
    final List<JdbcNamedParameter> parameters = new ArrayList<>();
    final List<String> parameterNames = new ArrayList<>();

    @Override
    public <S> Void visit(Table table, S context) {
      String name = SqlAllowlist.norm(table.getFullyQualifiedName());
      if (allowlist.columns(name).isEmpty()) {
        throw new Refusal("refused: table or view '" + name + "' is not allowlisted");
      }
      relations.add(name);
      if (table.getAlias() != null) {
        aliases.put(SqlAllowlist.norm(table.getAlias().getName()), name);
      }
      return super.visit(table, context);
    }

    @Override
    public <S> Void visit(PlainSelect select, S context) {
      refuseClauses(select);
      if (select.getIntoTables() != null || select.getIntoTempTable() != null
          || select.getMySqlSelectIntoClause() != null) {
        throw new Refusal("refused: SELECT INTO is not allowed");
      }
      return super.visit(select, context);
    }

    @Override
    public <S> Void visit(SetOperationList select, S context) {
      refuseClauses(select);
      return super.visit(select, context);
    }

    @Override
    public <S> Void visit(ParenthesedSelect select, S context) {
      refuseClauses(select);
      return super.visit(select, context);
    }

    private void refuseClauses(Select select) {
      if (select.getWithItemsList() != null && !select.getWithItemsList().isEmpty()) {
        throw new Refusal("refused: WITH is not allowed");
      }
      if (select.getForMode() != null || select.getForUpdateTable() != null || select.getForUpdate() != null) {
        throw new Refusal("refused: FOR UPDATE/SHARE is not allowed");
      }
    }

    @Override
    public <S> Void visit(FromQuery query, S context) {
      // JSqlParser reads "FROM t" (and "FROM t |> ...") as a query: all columns, and a pipe language
      // of its own (CALL, AGGREGATE, ...), none of which the column rules below see.
      throw new Refusal("refused: a query must start with SELECT ('FROM t' and '|>' pipes are not allowed)");
    }

    @Override
    public <S> Void visit(Values values, S context) {
      throw new Refusal("refused: VALUES is not allowed");
    }

    @Override
    public <S> Void visit(TableFunction function, S context) {
      throw new Refusal("refused: table function '" + function.getFunction().getName() + "' is not allowed");
    }

    @Override
    public <S> Void visit(LateralSubSelect select, S context) {
      throw new Refusal("refused: LATERAL is not allowed");
    }

    @Override
    public <S> Void visit(Function function, S context) {
      String fn = function.getName() == null ? "" : SqlAllowlist.norm(function.getName());
      if (!FUNCTIONS.contains(fn)) {
        throw new Refusal("refused: function '" + fn + "' is not allowed");
      }
      return super.visit(function, context);
    }

    @Override
    public <S> Void visit(Column column, S context) {
      columns.add(column);
      return super.visit(column, context);
    }

    @Override
    public <S> Void visit(AllColumns all, S context) {
      star = true;
      return super.visit(all, context);
    }

    @Override
    public <S> Void visit(AllTableColumns all, S context) {
      tableStars.add(all);
      return super.visit(all, context);
    }

    @Override
    public <S> Void visit(JdbcParameter parameter, S context) {
      throw new Refusal("refused: positional '?' parameters are not allowed; use :name");
    }

    @Override
    public <S> Void visit(JdbcNamedParameter parameter, S context) {
      if (!":".equals(parameter.getParameterCharacter())) {
        // '&name' would be renamed like the others but printed with its '&', which the marker rewrite
        // below does not turn into '?': an unbound name would reach the database.
        throw new Refusal("refused: only :name parameters are allowed, not '" + parameter.getParameterCharacter()
            + parameter.getName() + "'");
      }
      parameters.add(parameter);
      parameterNames.add(parameter.getName());
      return super.visit(parameter, context);
    }

    void checkColumns() throws SqlRefusedException {
      if (star) {
        for (String r : relations) {
          if (!allowlist.allowsStar(r)) {
            throw new SqlRefusedException("refused: SELECT * is not allowed on '" + r + "'; name the columns");
          }
        }
      }
      for (AllTableColumns t : tableStars) {
        String r = resolve(SqlAllowlist.norm(t.getTable().getFullyQualifiedName()));
        if (!allowlist.allowsStar(r)) {
          throw new SqlRefusedException("refused: SELECT * is not allowed on '" + r + "'; name the columns");
        }
      }
      for (Column c : columns) {
        String name = SqlAllowlist.norm(c.getColumnName());
        Table qualifier = c.getTable();
        if (qualifier != null && qualifier.getFullyQualifiedName() != null
            && !qualifier.getFullyQualifiedName().isEmpty()) {
          String r = resolve(SqlAllowlist.norm(qualifier.getFullyQualifiedName()));
          if (!allowlist.allows(r, name)) {
            throw new SqlRefusedException("refused: column '" + r + "." + name + "' is not allowlisted");
          }
        } else {
          if (relations.isEmpty()) {
            throw new SqlRefusedException("refused: column '" + name + "' is not allowlisted");
          }
          for (String r : relations) {
            if (!allowlist.allows(r, name)) {
              throw new SqlRefusedException("refused: column '" + name + "' is not allowlisted in '" + r + "'");
            }
          }
        }
      }
    }

    private String resolve(String qualifier) {
      return aliases.getOrDefault(qualifier, qualifier);
    }
  }
}
