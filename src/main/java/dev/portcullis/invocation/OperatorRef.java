package dev.portcullis.invocation;

import java.util.Objects;
import java.util.Set;

/**
 * A person acting as an operator (a configured approver), as authenticated at the edge: who, and
 * the tenants whose calls they may see and decide. Outside those tenants a call does not exist for
 * them.
 */
public record OperatorRef(String id, Set<String> tenants) {
  public OperatorRef {
    Objects.requireNonNull(id, "id");
    tenants = Set.copyOf(tenants);
  }

  /** Whether this operator may see and act on the calls of {@code tenant}. */
  public boolean covers(String tenant) {
    return tenant != null && tenants.contains(tenant);
  }
}
