package dev.portcullis.identity;

import dev.portcullis.invocation.OperatorRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The configured approvers (who are also the operators of stored calls), found by the credential
 * they present: an approver's API key, or a person's operator token from a trusted issuer carrying
 * an approver role there. Each comes with the tenants they decide for.
 *
 * <p>Security: keys are compared by their SHA-256 hash only ({@link ApiKeys}); an agent's key is
 * never an approver's (refused at load). A token must be an operator token: issued for an approver
 * entry's {@code audience}, which is never an audience agents' and delegating users' tokens carry,
 * and carrying none of those ({@link TokenVerifier#verifyOperator}); so a user token an agent was
 * handed to act for its user never approves, settles or reverts anything. An agent's token is never
 * a person's, whatever roles it carries. The approver a token proves is named by its issuer's user
 * claim, the same claim that names the user a call is made for, so four-eyes compares like with
 * like. A token that names a tenant narrows the approver to it.
 */
public final class Approvers {
  private final Map<String, OperatorRef> byKeyHash;
  private final Map<String, List<ApproverSpec.ByRole>> rolesByIssuer;
  private final Map<String, Set<String>> audiencesByIssuer;
  private final Identities identities;

  public Approvers(List<ApproverSpec> approvers, Identities identities) {
    Map<String, OperatorRef> keys = new HashMap<>();
    Map<String, List<ApproverSpec.ByRole>> roles = new HashMap<>();
    Map<String, Set<String>> audiences = new HashMap<>();
    for (ApproverSpec a : approvers) {
      switch (a) {
        case ApproverSpec.Keyed k -> {
          OperatorRef operator = new OperatorRef(k.id(), Set.copyOf(k.tenants()));
          k.keyHashes().forEach(h -> keys.put(h, operator));
        }
        case ApproverSpec.ByRole r -> {
          roles.computeIfAbsent(r.issuer(), i -> new ArrayList<>()).add(r);
          audiences.computeIfAbsent(r.issuer(), i -> new HashSet<>()).add(r.audience());
        }
      }
    }
    if (!roles.isEmpty() && identities == null) {
      throw new IllegalArgumentException(
          "approvers by role need the identities that verify their tokens");
    }
    this.byKeyHash = Map.copyOf(keys);
    Map<String, List<ApproverSpec.ByRole>> frozenRoles = new HashMap<>();
    roles.forEach((issuer, r) -> frozenRoles.put(issuer, List.copyOf(r)));
    this.rolesByIssuer = Map.copyOf(frozenRoles);
    Map<String, Set<String>> frozenAudiences = new HashMap<>();
    audiences.forEach((issuer, a) -> frozenAudiences.put(issuer, Set.copyOf(a)));
    this.audiencesByIssuer = Map.copyOf(frozenAudiences);
    this.identities = identities;
  }

  /** The operator {@code credential} (a bearer value) proves, with their tenants, if any. */
  public Optional<OperatorRef> authenticate(String credential) {
    if (credential == null || credential.isBlank()) {
      return Optional.empty();
    }
    if (!TokenVerifier.looksLikeJwt(credential)) {
      return Optional.ofNullable(byKeyHash.get(ApiKeys.hash(credential)));
    }
    if (rolesByIssuer.isEmpty()) {
      return Optional.empty();
    }
    Identities.Person person;
    try {
      person = identities.authenticatePerson(credential, audiencesByIssuer);
    } catch (IdentityException e) {
      return Optional.empty();
    }
    Set<String> tenants = new HashSet<>();
    for (ApproverSpec.ByRole r : rolesByIssuer.getOrDefault(person.issuer(), List.of())) {
      if (person.roles().contains(r.role()) && person.audiences().contains(r.audience())) {
        tenants.addAll(r.tenants());
      }
    }
    if (person.tenant() != null) {
      tenants.retainAll(Set.of(person.tenant()));
    }
    return tenants.isEmpty()
        ? Optional.empty()
        : Optional.of(new OperatorRef(person.id(), tenants));
  }
}
