package dev.portcullis.connector.sql;

import java.util.List;

/** What one tool runs on a SQL connector. */
public sealed interface SqlOperation {
  String toolName();

  /**
   * A configured query, checked at load; arguments fill its {@code :name} parameters, bound by JDBC
   * and never spliced into the text.
   */
  record NamedQuery(String toolName, GuardedQuery query) implements SqlOperation {}

  /**
   * A SELECT the connector builds per call over one allowlisted relation: the agent may pass {@code
   * columns} (a subset of {@code columns}), {@code where} (equality on those columns) and {@code
   * limit} (at most the connector's maxRows).
   */
  record AllowlistSelect(String toolName, String relation, List<String> columns)
      implements SqlOperation {
    public AllowlistSelect {
      SqlAllowlist.requireIdentifier(relation, "relation");
      columns.forEach(c -> SqlAllowlist.requireIdentifier(c, "column"));
      columns = List.copyOf(columns);
    }
  }
}
