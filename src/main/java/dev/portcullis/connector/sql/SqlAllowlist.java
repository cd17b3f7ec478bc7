package dev.portcullis.connector.sql;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tables and views a SQL connector may read, each with the columns it may read ({@code *} for
 * all). Names compare case-insensitively; a relation may be schema-qualified ({@code public.x}).
 */
public final class SqlAllowlist {
  /**
   * An unquoted SQL identifier, optionally schema-qualified; nothing else is accepted in config.
   */
  public static final Pattern IDENTIFIER =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

  public static final String ALL_COLUMNS = "*";

  private final Map<String, Set<String>> columnsByRelation;

  private SqlAllowlist(Map<String, Set<String>> columnsByRelation) {
    this.columnsByRelation = Map.copyOf(columnsByRelation);
  }

  /**
   * Builds an allowlist from relation names to column names.
   *
   * @throws IllegalArgumentException when a name is not a plain identifier
   */
  public static SqlAllowlist of(Map<String, List<String>> relations) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    relations.forEach(
        (relation, columns) -> {
          requireIdentifier(relation, "relation");
          Set<String> cols = new java.util.HashSet<>();
          for (String c : columns) {
            if (!c.equals(ALL_COLUMNS)) {
              requireIdentifier(c, "column");
            }
            cols.add(norm(c));
          }
          out.put(norm(relation), Set.copyOf(cols));
        });
    return new SqlAllowlist(out);
  }

  static void requireIdentifier(String name, String what) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " '" + name + "' is not a plain SQL identifier");
    }
  }

  static String norm(String name) {
    return name.replace("\"", "").replace("`", "").toLowerCase(Locale.ROOT);
  }

  /** The allowed columns of {@code relation}, if it is allowlisted. */
  public Optional<Set<String>> columns(String relation) {
    return Optional.ofNullable(columnsByRelation.get(norm(relation)));
  }

  public boolean allows(String relation, String column) {
    Set<String> cols = columnsByRelation.get(norm(relation));
    return cols != null && (cols.contains(ALL_COLUMNS) || cols.contains(norm(column)));
  }

  public boolean allowsStar(String relation) {
    Set<String> cols = columnsByRelation.get(norm(relation));
    return cols != null && cols.contains(ALL_COLUMNS);
  }

  public Set<String> relations() {
    return columnsByRelation.keySet();
  }
}
