package dev.portcullis.identity;

import java.util.List;
import java.util.Objects;

/**
 * Who may decide approval requests: a named operator with API keys, or every person whose token
 * from a trusted issuer carries a role.
 */
public sealed interface ApproverSpec {
  /** An operator {@code id} who presents one of the API keys whose hashes are {@code keyHashes}. */
  record Keyed(String id, List<String> keyHashes) implements ApproverSpec {
    public Keyed {
      Objects.requireNonNull(id, "id");
      keyHashes = List.copyOf(keyHashes);
    }
  }

  /**
   * Any person with a valid token from the configured issuer named {@code issuer} whose roles
   * include {@code role}; the person's id is the token's user claim.
   */
  record ByRole(String issuer, String role) implements ApproverSpec {
    public ByRole {
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(role, "role");
    }
  }
}
