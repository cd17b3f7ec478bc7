package dev.portcullis.connector.sql;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.TableFunction;

/**
 * The names a column qualifier can mean while the guard walks one statement: one scope per SELECT
 * (its FROM items), innermost first, as the database resolves them.
 *
 * <p>Security: a qualifier resolves to an allowlisted relation, to a derived table (whose columns
 * are the already-checked select list of its subquery), or to nothing (refused). A name bound to
 * two different things in the scopes that can see it (an alias reused in a subquery, or twice in
 * one FROM) is refused rather than guessed: which one the database picks depends on the dialect and
 * on where the subquery sits (a derived table does not see its siblings), and the guard must never
 * check one relation while the database reads another.
 *
 * <p>Concurrency: one instance per {@link SqlGuard#check} call; not thread-safe.
 */
final class AliasScopes {
  /** What a qualifier names. */
  enum Kind {
    RELATION,
    DERIVED,
    AMBIGUOUS
  }

  /**
   * What a qualifier names: a relation (its normalised name), a derived table, or more than one
   * thing.
   */
  record Binding(Kind kind, String relation) {
    static final Binding DERIVED = new Binding(Kind.DERIVED, "");
    static final Binding AMBIGUOUS = new Binding(Kind.AMBIGUOUS, "");

    static Binding relation(String name) {
      return new Binding(Kind.RELATION, name);
    }
  }

  private final Deque<Map<String, Binding>> scopes = new ArrayDeque<>();

  /** Opens the scope of {@code select}: every name its FROM clause binds. */
  void enter(PlainSelect select) {
    Map<String, Binding> scope = new HashMap<>();
    bind(scope, select.getFromItem());
    bindJoins(scope, select.getJoins());
    scopes.push(scope);
  }

  void leave() {
    scopes.pop();
  }

  /**
   * What {@code qualifier} (normalised) names where the walk is now ({@link Kind#AMBIGUOUS} if
   * unsure).
   */
  Optional<Binding> resolve(String qualifier) {
    Binding found = null;
    for (Map<String, Binding> scope : scopes) {
      Binding b = scope.get(qualifier);
      if (b == null) {
        continue;
      }
      if (b.kind() == Kind.AMBIGUOUS || (found != null && !found.equals(b))) {
        return Optional.of(Binding.AMBIGUOUS);
      }
      found = b;
    }
    return Optional.ofNullable(found);
  }

  private static void bindJoins(Map<String, Binding> scope, List<Join> joins) {
    if (joins != null) {
      for (Join join : joins) {
        bind(scope, join.getFromItem());
      }
    }
  }

  private static void bind(Map<String, Binding> scope, FromItem item) {
    if (item == null) {
      return;
    }
    if (item.getPivot() != null || item.getUnPivot() != null) {
      throw new SqlGuard.Refusal("refused: PIVOT/UNPIVOT is not allowed");
    }
    switch (item) {
      case Table table -> {
        Binding relation = Binding.relation(SqlAllowlist.norm(table.getFullyQualifiedName()));
        if (table.getAlias() != null) {
          put(scope, SqlAllowlist.norm(table.getAlias().getName()), relation);
        } else {
          put(scope, SqlAllowlist.norm(table.getFullyQualifiedName()), relation);
          put(scope, SqlAllowlist.norm(table.getName()), relation);
        }
      }
      case ParenthesedFromItem nested -> {
        if (nested.getAlias() != null) {
          throw new SqlGuard.Refusal("refused: an alias on a parenthesised join is not allowed");
        }
        bind(scope, nested.getFromItem());
        bindJoins(scope, nested.getJoins());
      }
      case Select derived -> {
        if (derived.getAlias() != null) {
          put(scope, SqlAllowlist.norm(derived.getAlias().getName()), Binding.DERIVED);
        }
      }
      case TableFunction function -> {
        // binds nothing: the walk refuses every table function when it reaches it
      }
      default ->
          throw new SqlGuard.Refusal(
              "refused: FROM item '" + item.getClass().getSimpleName() + "' is not allowed");
    }
  }

  private static void put(Map<String, Binding> scope, String name, Binding binding) {
    scope.merge(name, binding, (a, b) -> a.equals(b) ? a : Binding.AMBIGUOUS);
  }
}
