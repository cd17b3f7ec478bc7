package dev.portcullis.connector.sql;

import java.util.List;

/**
 * A statement the guard accepted, rewritten for JDBC: named parameters became {@code ?} (bound in
 * the order of {@code parameters}) and the whole is wrapped in a {@code LIMIT} of one row more than
 * {@code maxRows}, so truncation can be reported.
 */
public record GuardedQuery(String jdbcSql, List<String> parameters, int maxRows) {
  public GuardedQuery {
    parameters = List.copyOf(parameters);
  }
}
