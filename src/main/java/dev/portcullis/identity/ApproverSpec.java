package dev.portcullis.identity;

import java.util.List;
import java.util.Objects;

/**
 * Who may decide approval requests (and act as an operator on stored calls): a named operator with
 * API keys, or every person whose operator token from a trusted issuer carries a role. Each is
 * scoped to {@code tenants}: the calls of any other tenant do not exist for them.
 */
public sealed interface ApproverSpec {
  /** The tenants this approver decides for; never empty. */
  List<String> tenants();

  /** An operator {@code id} who presents one of the API keys whose hashes are {@code keyHashes}. */
  record Keyed(String id, List<String> keyHashes, List<String> tenants) implements ApproverSpec {
    public Keyed {
      Objects.requireNonNull(id, "id");
      keyHashes = List.copyOf(keyHashes);
      tenants = nonEmpty(tenants);
    }
  }

  /**
   * Any person with a valid token from the configured issuer named {@code issuer}, issued for
   * {@code audience} (the operator API's own audience, never one that agents' or delegating users'
   * tokens carry), whose roles include {@code role}; the person's id is the token's user claim.
   */
  record ByRole(String issuer, String role, String audience, List<String> tenants)
      implements ApproverSpec {
    public ByRole {
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(audience, "audience");
      tenants = nonEmpty(tenants);
    }
  }

  private static List<String> nonEmpty(List<String> tenants) {
    if (tenants.isEmpty()) {
      throw new IllegalArgumentException("an approver needs at least one tenant");
    }
    return List.copyOf(tenants);
  }
}
