package dev.portcullis.identity;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured approvers, found by the key they present. Security: keys are compared by their
 * SHA-256 hash only ({@link ApiKeys}); an agent's key is never an approver's.
 */
public final class Approvers {
  private final Map<String, String> byKeyHash;

  public Approvers(List<ApproverSpec> approvers) {
    Map<String, String> keys = new HashMap<>();
    approvers.forEach(a -> a.keyHashes().forEach(h -> keys.put(h, a.id())));
    this.byKeyHash = Map.copyOf(keys);
  }

  /** The id of the approver whose key {@code credential} is, if any. */
  public Optional<String> authenticate(String credential) {
    if (credential == null || credential.isBlank()) {
      return Optional.empty();
    }
    return Optional.ofNullable(byKeyHash.get(ApiKeys.hash(credential)));
  }
}
