package dev.portcullis.identity;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The configured approvers, found by the credential they present: an approver's API key, or a
 * person's token from a trusted issuer carrying an approver role there.
 *
 * <p>Security: keys are compared by their SHA-256 hash only ({@link ApiKeys}); an agent's key is
 * never an approver's (refused at load). A token is verified like a delegating user's (signature,
 * issuer, audience, expiry); an agent's token is never a person's, whatever roles it carries. The
 * approver a token proves is named by its issuer's user claim, the same claim that names the user
 * a call is made for, so four-eyes compares like with like.
 */
public final class Approvers {
  private final Map<String, String> byKeyHash;
  private final Map<String, Set<String>> rolesByIssuer;
  private final Identities identities;

  public Approvers(List<ApproverSpec> approvers, Identities identities) {
    Map<String, String> keys = new HashMap<>();
    Map<String, Set<String>> roles = new HashMap<>();
    for (ApproverSpec a : approvers) {
      switch (a) {
        case ApproverSpec.Keyed k -> k.keyHashes().forEach(h -> keys.put(h, k.id()));
        case ApproverSpec.ByRole r -> roles.computeIfAbsent(r.issuer(), i -> new HashSet<>()).add(r.role());
      }
    }
    if (!roles.isEmpty() && identities == null) {
      throw new IllegalArgumentException("approvers by role need the identities that verify their tokens");
    }
    this.byKeyHash = Map.copyOf(keys);
    Map<String, Set<String>> frozen = new HashMap<>();
    roles.forEach((issuer, r) -> frozen.put(issuer, Set.copyOf(r)));
    this.rolesByIssuer = Map.copyOf(frozen);
    this.identities = identities;
  }

  /** The id of the approver {@code credential} (a bearer value) proves, if any. */
  public Optional<String> authenticate(String credential) {
    if (credential == null || credential.isBlank()) {
      return Optional.empty();
    }
    if (!TokenVerifier.looksLikeJwt(credential)) {
      return Optional.ofNullable(byKeyHash.get(ApiKeys.hash(credential)));
    }
    if (rolesByIssuer.isEmpty()) {
      return Optional.empty();
    }
    try {
      Identities.Person person = identities.authenticatePerson(credential);
      Set<String> wanted = rolesByIssuer.getOrDefault(person.issuer(), Set.of());
      return person.roles().stream().anyMatch(wanted::contains) ? Optional.of(person.id()) : Optional.empty();
    } catch (IdentityException e) {
      return Optional.empty();
    }
  }
}
