package dev.portcullis.invocation;

import java.util.Objects;
import java.util.Set;

/**
 * The human an agent acts for. {@code verified} is true only when the user was proven by a token
 * from a trusted issuer; an unverified user is what the agent asserts, recorded but never a
 * principal that policy grants anything to.
 */
public record UserRef(
    String id, String tenant, Set<String> roles, Set<String> groups, boolean verified) {
  public UserRef {
    Objects.requireNonNull(id, "id");
    roles = Set.copyOf(roles);
    groups = Set.copyOf(groups);
  }

  /**
   * The id of the user {@code user} proves: its id when verified; null for none or an asserted one.
   */
  public static String principal(UserRef user) {
    return user == null || !user.verified() ? null : user.id();
  }

  /**
   * Whether {@code a} and {@code b} are the same user for a repeated call: both none, or the same
   * id proven the same way (a user the agent asserts is never the verified user of that id).
   */
  public static boolean same(UserRef a, UserRef b) {
    return a == null
        ? b == null
        : b != null && a.id().equals(b.id()) && a.verified() == b.verified();
  }

  /** A user named by the agent, without proof. */
  public static UserRef asserted(String id) {
    return new UserRef(id, null, Set.of(), Set.of(), false);
  }
}
