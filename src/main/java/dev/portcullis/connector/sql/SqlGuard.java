package dev.portcullis.connector.sql;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.ConnectByPriorOperator;
import net.sf.jsqlparser.expression.ConnectByRootOperator;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.JdbcNamedParameter;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.JsonAggregateFunction;
import net.sf.jsqlparser.expression.JsonFunction;
import net.sf.jsqlparser.expression.KeepExpression;
import net.sf.jsqlparser.expression.LambdaExpression;
import net.sf.jsqlparser.expression.MethodCallExpression;
import net.sf.jsqlparser.expression.MySQLGroupConcat;
import net.sf.jsqlparser.expression.NextValExpression;
import net.sf.jsqlparser.expression.NumericBind;
import net.sf.jsqlparser.expression.OracleHierarchicalExpression;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.expression.TranscodingFunction;
import net.sf.jsqlparser.expression.UserVariable;
import net.sf.jsqlparser.expression.VariableAssignment;
import net.sf.jsqlparser.expression.XMLSerializeExpr;
import net.sf.jsqlparser.expression.operators.relational.FullTextSearch;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.piped.FromQuery;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * Parses one SQL statement and lets it through only if it is a single plain SELECT over allowlisted
 * relations and columns; the statement it returns always carries a row limit.
 *
 * <p>Security: the rules, each refused with its own message —
 *
 * <ol>
 *   <li>no comments ({@code --}, {@code /*}, {@code #}) and no {@code ;} anywhere in the text, even
 *       inside a string literal: configured queries never need them and they are how a second
 *       statement hides; no control characters but tab, CR and LF (the parser stops reading at
 *       some, so it would check less than the text says); not the prefix of the gateway's own
 *       parameter markers, {@code portcullis_p}, which would otherwise be rewritten (or fail) as
 *       one;
 *   <li>exactly one statement, and it is a SELECT (plain, UNION/INTERSECT/EXCEPT, subqueries), not
 *       the piped {@code FROM t |> …} form the parser also reads as a query;
 *   <li>no WITH (so no data-modifying CTE), no SELECT INTO, no FOR UPDATE/SHARE, no VALUES, no
 *       table functions in FROM, no positional {@code ?} or {@code &name} parameters (only {@code
 *       :name});
 *   <li>every table or view anywhere in it (FROM, JOIN, subqueries, set operations) is allowlisted,
 *       and none is given column aliases ({@code customers AS c(a, id)} renames its columns by
 *       position, so a checked name would read another column);
 *   <li>every SELECT has a FROM clause (so no {@code SELECT current_user});
 *   <li>every column is allowlisted: a qualified column in the relation its qualifier names in that
 *       SELECT's scope or an enclosing one ({@link AliasScopes}: a qualifier naming nothing in
 *       scope, or two different relations, is refused), an unqualified one in every relation of the
 *       statement; {@code *} only where the allowlist says {@code *}; never a session or system
 *       value that parses as a bare column ({@link #SESSION_VALUES}, {@link #SYSTEM_COLUMNS}), even
 *       on a relation allowlisted with {@code *};
 *   <li>functions only from a small allowlist of pure ones ({@link #FUNCTIONS}), so nothing like
 *       {@code pg_sleep}, {@code pg_read_file}, {@code dblink}, {@code set_config} or {@code
 *       load_extension}; window functions too ({@code f() OVER ()} is not a plain call);
 *   <li>no dialect constructs the guard does not reason about: sequences ({@code NEXTVAL}), user
 *       variables and assignments, session keys other than the current date and time, JSON/XML
 *       functions, hierarchical queries, method calls, lambdas, PIVOT.
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
      Set.of(
          "count",
          "sum",
          "min",
          "max",
          "avg",
          "lower",
          "upper",
          "coalesce",
          "nullif",
          "length",
          "abs",
          "round",
          "trim");

  /**
   * Bare words that read the session, not a row: PostgreSQL and the SQL standard parse them as
   * niladic functions, JSqlParser as columns. Refused whatever the allowlist says.
   */
  public static final Set<String> SESSION_VALUES =
      Set.of(
          "current_user",
          "session_user",
          "user",
          "current_role",
          "current_schema",
          "current_catalog",
          "system_user",
          "current_path",
          "current_database",
          "current_query");

  /** Hidden per-row columns of PostgreSQL (not part of {@code *}), refused in any relation. */
  public static final Set<String> SYSTEM_COLUMNS =
      Set.of("tableoid", "xmin", "xmax", "cmin", "cmax", "ctid", "oid");

  /** Session keys that are only the clock; every other {@code CURRENT_…} key is refused. */
  private static final Set<String> TIME_KEYS =
      Set.of("current_date", "current_time", "current_timestamp", "localtime", "localtimestamp");

  private static final Pattern FORBIDDEN_TEXT = Pattern.compile("--|/\\*|\\*/|#|;");
  private static final Pattern MARKER = Pattern.compile(":portcullis_p([0-9]+)_");

  /**
   * The markers' prefix: text that holds it anywhere (a literal, a name) could pass for a marker.
   */
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
    if (sql.chars()
        .anyMatch(c -> Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r')) {
      throw new SqlRefusedException("refused: control characters are not allowed");
    }
    if (RESERVED.matcher(sql).find()) {
      throw new SqlRefusedException(
          "refused: 'portcullis_p' is reserved for the gateway's parameter markers");
    }
    Statements statements;
    try {
      statements = CCJSqlParserUtil.parseStatements(sql);
    } catch (JSQLParserException | RuntimeException e) {
      throw new SqlRefusedException("refused: not a statement this gateway can parse");
    }
    if (statements.size() != 1) {
      throw new SqlRefusedException(
          "refused: exactly one statement is allowed, found " + statements.size());
    }
    Statement statement = statements.getFirst();
    if (!(statement instanceof Select select)) {
      throw new SqlRefusedException(
          "refused: only SELECT is allowed, not "
              + statement.getClass().getSimpleName().toUpperCase(Locale.ROOT));
    }
    Walker walker = new Walker();
    try {
      walker.getTables((Statement) select);
    } catch (Refusal r) {
      throw new SqlRefusedException(r.getMessage());
    } catch (RuntimeException e) {
      throw new SqlRefusedException(
          "refused: the statement uses a construct this gateway does not allow");
    }
    walker.checkColumns();
    if (!walker.problems.isEmpty()) {
      throw new SqlRefusedException(walker.problems.getFirst());
    }
    // Named parameters become numbered markers, then '?' in text order, so binding follows the
    // text.
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
    if (again == null
        || again.size() != 1
        || !(again.getFirst() instanceof Select)
        || !again.getFirst().toString().equals(printed)) {
      throw new SqlRefusedException(
          "refused: the statement does not read back as itself once printed");
    }
  }

  /** Refusal raised from inside the visitor, whose methods cannot throw checked exceptions. */
  static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal(String message) {
      super(message, null, false, false);
    }
  }

  /** A column checked against one relation once the walk has found every relation. */
  private record QualifiedColumn(String relation, String column) {}

  /** Walks every node of the statement, collecting relations, columns and parameters. */
  private final class Walker extends TablesNamesFinder<Void> {
    final Set<String> relations = new LinkedHashSet<>();
    final AliasScopes scopes = new AliasScopes();
    final List<Column> unqualified = new ArrayList<>();
    final List<QualifiedColumn> qualified = new ArrayList<>();
    final List<String> starRelations = new ArrayList<>();

    /** Column refusals found during the walk, reported after table refusals, in text order. */
    final List<String> problems = new ArrayList<>();

    boolean star;
    final List<JdbcNamedParameter> parameters = new ArrayList<>();
    final List<String> parameterNames = new ArrayList<>();

    @Override
    public <S> Void visit(Table table, S context) {
      String name = SqlAllowlist.norm(table.getFullyQualifiedName());
      if (allowlist.columns(name).isEmpty()) {
        throw new Refusal("refused: table or view '" + name + "' is not allowlisted");
      }
      if (table.getAlias() != null
          && table.getAlias().getAliasColumns() != null
          && !table.getAlias().getAliasColumns().isEmpty()) {
        // 'customers AS c(a, id)' renames the table's columns by position: 'c.id' would read
        // whatever column is second while the allowlist is checked for 'id'.
        throw new Refusal(
            "refused: column aliases on table '"
                + name
                + "' are not allowed (they rename its columns)");
      }
      relations.add(name);
      return super.visit(table, context);
    }

    @Override
    public <S> Void visit(PlainSelect select, S context) {
      refuseClauses(select);
      if (select.getIntoTables() != null
          || select.getIntoTempTable() != null
          || select.getMySqlSelectIntoClause() != null) {
        throw new Refusal("refused: SELECT INTO is not allowed");
      }
      if (select.getFromItem() == null) {
        throw new Refusal("refused: a SELECT without FROM is not allowed");
      }
      checkJoins(select.getJoins());
      if (select.getFromItem() instanceof ParenthesedFromItem nested) {
        checkJoins(nested.getJoins());
      }
      scopes.enter(select);
      try {
        return super.visit(select, context);
      } finally {
        scopes.leave();
      }
    }

    /**
     * The finder walks neither USING nor NATURAL: USING columns are checked as unqualified, NATURAL
     * refused.
     */
    private void checkJoins(List<Join> joins) {
      if (joins == null) {
        return;
      }
      for (Join join : joins) {
        if (join.isNatural()) {
          throw new Refusal("refused: NATURAL JOIN is not allowed; join ON named columns");
        }
        if (join.getUsingColumns() != null) {
          join.getUsingColumns().forEach(c -> visit(c, null));
        }
        if (join.getFromItem() instanceof ParenthesedFromItem nested) {
          checkJoins(nested.getJoins());
        }
      }
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

    @Override
    public <S> Void visit(WithItem<?> item, S context) {
      throw new Refusal("refused: WITH is not allowed");
    }

    private void refuseClauses(Select select) {
      if (select.getWithItemsList() != null && !select.getWithItemsList().isEmpty()) {
        throw new Refusal("refused: WITH is not allowed");
      }
      if (select.getForMode() != null
          || select.getForUpdateTable() != null
          || select.getForUpdate() != null) {
        throw new Refusal("refused: FOR UPDATE/SHARE is not allowed");
      }
    }

    @Override
    public <S> Void visit(FromQuery query, S context) {
      // JSqlParser reads "FROM t" (and "FROM t |> ...") as a query: all columns, and a pipe
      // language
      // of its own (CALL, AGGREGATE, ...), none of which the column rules below see.
      throw new Refusal(
          "refused: a query must start with SELECT ('FROM t' and '|>' pipes are not allowed)");
    }

    @Override
    public <S> Void visit(Values values, S context) {
      throw new Refusal("refused: VALUES is not allowed");
    }

    @Override
    public <S> Void visit(TableFunction function, S context) {
      throw new Refusal(
          "refused: table function '" + function.getFunction().getName() + "' is not allowed");
    }

    @Override
    public <S> Void visit(LateralSubSelect select, S context) {
      throw new Refusal("refused: LATERAL is not allowed");
    }

    @Override
    public <S> Void visit(Function function, S context) {
      requireAllowedFunction(function.getName());
      boolean plain =
          isEmpty(function.getOrderByElements())
              && function.getLimit() == null
              && function.getHavingClause() == null
              && function.getChainedParameters() == null
              && function.getAttribute() == null
              && isEmpty(function.getKeywordArguments())
              && function.getNamedParameters() == null
              && function.getKeep() == null;
      if (!plain) {
        throw plainArgumentsOnly(function.getName());
      }
      return super.visit(function, context);
    }

    @Override
    public <S> Void visit(AnalyticExpression function, S context) {
      requireAllowedFunction(function.getName());
      if (!isEmpty(function.getFuncOrderBy())
          || function.getLimit() != null
          || function.getHavingClause() != null
          || function.getKeep() != null
          || !isEmpty(function.getKeywordArguments())) {
        throw plainArgumentsOnly(function.getName());
      }
      // The finder does not walk PARTITION BY; its columns are read like any other.
      if (function.getPartitionExpressionList() != null) {
        function.getPartitionExpressionList().accept(this, context);
      }
      return super.visit(function, context);
    }

    /**
     * Clauses inside a call (ORDER BY, LIMIT, KEEP, named or keyword arguments) are not walked:
     * refused.
     */
    private Refusal plainArgumentsOnly(String name) {
      return new Refusal(
          "refused: function '"
              + SqlAllowlist.norm(String.valueOf(name))
              + "' may only take plain arguments (no ORDER BY, LIMIT or named arguments inside the call)");
    }

    private static boolean isEmpty(java.util.Collection<?> c) {
      return c == null || c.isEmpty();
    }

    private void requireAllowedFunction(String name) {
      String fn = name == null ? "" : SqlAllowlist.norm(name);
      if (!FUNCTIONS.contains(fn)) {
        throw new Refusal("refused: function '" + fn + "' is not allowed");
      }
    }

    @Override
    public <S> Void visit(TimeKeyExpression key, S context) {
      String k = SqlAllowlist.norm(key.getStringValue()).replace("()", "").strip();
      if (!TIME_KEYS.contains(k)) {
        throw new Refusal(
            "refused: '" + k + "' is not allowed; a query reads rows, not the session");
      }
      return super.visit(key, context);
    }

    @Override
    public <S> Void visit(Column column, S context) {
      String name = SqlAllowlist.norm(column.getColumnName());
      if (SYSTEM_COLUMNS.contains(name)) {
        problems.add("refused: system column '" + name + "' is not allowed");
        return null;
      }
      Table qualifier = column.getTable();
      if (qualifier == null
          || qualifier.getFullyQualifiedName() == null
          || qualifier.getFullyQualifiedName().isEmpty()) {
        if (SESSION_VALUES.contains(name)) {
          problems.add(
              "refused: '" + name + "' is not allowed; a query reads rows, not the session");
        } else {
          unqualified.add(column);
        }
        return null;
      }
      String q = SqlAllowlist.norm(qualifier.getFullyQualifiedName());
      resolve(q, "column '" + q + "." + name + "'")
          .ifPresent(r -> qualified.add(new QualifiedColumn(r, name)));
      return null;
    }

    /** The relation {@code qualifier} names here; empty for a derived table or after a refusal. */
    private Optional<String> resolve(String qualifier, String what) {
      Optional<AliasScopes.Binding> binding = scopes.resolve(qualifier);
      if (binding.isEmpty()) {
        problems.add("refused: " + what + " names no relation in its scope");
        return Optional.empty();
      }
      return switch (binding.get().kind()) {
        case RELATION -> Optional.of(binding.get().relation());
        case DERIVED -> Optional.empty();
        case AMBIGUOUS -> {
          problems.add(
              "refused: '"
                  + qualifier
                  + "' names more than one relation in this statement; use distinct aliases");
          yield Optional.empty();
        }
      };
    }

    @Override
    public <S> Void visit(AllColumns all, S context) {
      star = true;
      return super.visit(all, context);
    }

    @Override
    public <S> Void visit(AllTableColumns all, S context) {
      String q = SqlAllowlist.norm(all.getTable().getFullyQualifiedName());
      resolve(q, "'" + q + ".*'").ifPresent(starRelations::add);
      return null;
    }

    @Override
    public <S> Void visit(JdbcParameter parameter, S context) {
      throw new Refusal("refused: positional '?' parameters are not allowed; use :name");
    }

    @Override
    public <S> Void visit(JdbcNamedParameter parameter, S context) {
      if (!":".equals(parameter.getParameterCharacter())) {
        // '&name' would be renamed like the others but printed with its '&', which the marker
        // rewrite
        // below does not turn into '?': an unbound name would reach the database.
        throw new Refusal(
            "refused: only :name parameters are allowed, not '"
                + parameter.getParameterCharacter()
                + parameter.getName()
                + "'");
      }
      parameters.add(parameter);
      parameterNames.add(parameter.getName());
      return super.visit(parameter, context);
    }

    // Dialect constructs the guard does not reason about: refused by name.

    @Override
    public <S> Void visit(NextValExpression e, S context) {
      throw unsupported("NEXTVAL");
    }

    @Override
    public <S> Void visit(UserVariable e, S context) {
      throw unsupported("a user variable");
    }

    @Override
    public <S> Void visit(VariableAssignment e, S context) {
      throw unsupported("an assignment");
    }

    @Override
    public <S> Void visit(NumericBind e, S context) {
      throw unsupported("a numeric bind");
    }

    @Override
    public <S> Void visit(JsonFunction e, S context) {
      throw unsupported("a JSON function");
    }

    @Override
    public <S> Void visit(JsonAggregateFunction e, S context) {
      throw unsupported("a JSON function");
    }

    @Override
    public <S> Void visit(XMLSerializeExpr e, S context) {
      throw unsupported("an XML function");
    }

    @Override
    public <S> Void visit(MySQLGroupConcat e, S context) {
      throw unsupported("GROUP_CONCAT");
    }

    @Override
    public <S> Void visit(FullTextSearch e, S context) {
      throw unsupported("MATCH AGAINST");
    }

    @Override
    public <S> Void visit(TranscodingFunction e, S context) {
      throw unsupported("CONVERT");
    }

    @Override
    public <S> Void visit(OracleHierarchicalExpression e, S context) {
      throw unsupported("CONNECT BY");
    }

    @Override
    public <S> Void visit(ConnectByRootOperator e, S context) {
      throw unsupported("CONNECT_BY_ROOT");
    }

    @Override
    public <S> Void visit(ConnectByPriorOperator e, S context) {
      throw unsupported("PRIOR");
    }

    @Override
    public <S> Void visit(KeepExpression e, S context) {
      throw unsupported("KEEP");
    }

    @Override
    public <S> Void visit(MethodCallExpression e, S context) {
      throw unsupported("a method call");
    }

    @Override
    public <S> Void visit(LambdaExpression e, S context) {
      throw unsupported("a lambda");
    }

    private Refusal unsupported(String construct) {
      return new Refusal("refused: " + construct + " is not allowed");
    }

    void checkColumns() throws SqlRefusedException {
      if (star) {
        for (String r : relations) {
          if (!allowlist.allowsStar(r)) {
            throw new SqlRefusedException(
                "refused: SELECT * is not allowed on '" + r + "'; name the columns");
          }
        }
      }
      for (String r : starRelations) {
        if (!allowlist.allowsStar(r)) {
          throw new SqlRefusedException(
              "refused: SELECT * is not allowed on '" + r + "'; name the columns");
        }
      }
      for (QualifiedColumn c : qualified) {
        if (!allowlist.allows(c.relation(), c.column())) {
          throw new SqlRefusedException(
              "refused: column '" + c.relation() + "." + c.column() + "' is not allowlisted");
        }
      }
      for (Column c : unqualified) {
        String name = SqlAllowlist.norm(c.getColumnName());
        if (relations.isEmpty()) {
          throw new SqlRefusedException("refused: column '" + name + "' is not allowlisted");
        }
        for (String r : relations) {
          if (!allowlist.allows(r, name)) {
            throw new SqlRefusedException(
                "refused: column '" + name + "' is not allowlisted in '" + r + "'");
          }
        }
      }
    }
  }
}
