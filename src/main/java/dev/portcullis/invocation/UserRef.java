package dev.portcullis.invocation;

import java.util.Objects;
import java.util.Set;

/**
 * The human an agent acts for. {@code verified} is true only when the user was proven by a token
 * from a trusted issuer; an unverified user is what the agent asserts, recorded but never a
 * principal that policy grants anything to.
 */
public record UserRef(String id, String tenant, Set<String> roles, Set<String> groups, boolean verified) {
  public UserRef {
    Objects.requireNonNull(id, "id");
    roles = Set.copyOf(roles);
    groups = Set.copyOf(groups);
  }

  /** A user named by the agent, without proof. */
  public static UserRef asserted(String id) {
    return new UserRef(id, null, Set.of(), Set.of(), false);
  }
}
