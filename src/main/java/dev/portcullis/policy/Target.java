package dev.portcullis.policy;

import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.UserRef;
import java.util.List;
import java.util.Set;

/**
 * Which calls a rule is about. Every list that is not empty must match; an empty list matches
 * anything. Tools, risk classes and connectors are resolved against the catalog at load (see {@link
 * CompiledPolicy}); the rest is matched per call.
 *
 * <p>Sides: a permit speaks for the agent when it names agents, for the user when it names users
 * (ids, roles or groups), and for both when it names neither or both. A call with a verified user
 * needs a permit on each side: that is how effective permission becomes agent ∩ user.
 */
public record Target(
    Set<String> tenants,
    List<NamePattern> agents,
    Set<String> userIds,
    Set<String> userRoles,
    Set<String> userGroups,
    List<NamePattern> tools,
    Set<String> risks,
    Set<String> connectors) {

  public static final Target ANY =
      new Target(Set.of(), List.of(), Set.of(), Set.of(), Set.of(), List.of(), Set.of(), Set.of());

  public Target {
    tenants = Set.copyOf(tenants);
    agents = List.copyOf(agents);
    userIds = Set.copyOf(userIds);
    userRoles = Set.copyOf(userRoles);
    userGroups = Set.copyOf(userGroups);
    tools = List.copyOf(tools);
    risks = Set.copyOf(risks);
    connectors = Set.copyOf(connectors);
  }

  public boolean namesAgents() {
    return !agents.isEmpty();
  }

  public boolean namesUsers() {
    return !userIds.isEmpty() || !userRoles.isEmpty() || !userGroups.isEmpty();
  }

  public boolean speaksForAgent() {
    return namesAgents() || !namesUsers();
  }

  public boolean speaksForUser() {
    return namesUsers() || !namesAgents();
  }

  /** Whether the call's tenant, agent and user fall under this target (tools are indexed apart). */
  public boolean matchesPrincipals(Invocation inv) {
    if (!tenants.isEmpty() && !tenants.contains(inv.tenant())) {
      return false;
    }
    if (!agents.isEmpty() && !anyMatches(agents, inv.agent().id())) {
      return false;
    }
    if (!namesUsers()) {
      return true;
    }
    UserRef user = inv.user();
    if (user == null || !user.verified()) {
      return false;
    }
    return (userIds.isEmpty() || userIds.contains(user.id()))
        && (userRoles.isEmpty() || anyIn(user.roles(), userRoles))
        && (userGroups.isEmpty() || anyIn(user.groups(), userGroups));
  }

  // Loops rather than streams: this runs for every rule the tool index leaves, on every call.
  private static boolean anyMatches(List<NamePattern> patterns, String name) {
    for (NamePattern p : patterns) {
      if (p.matches(name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyIn(Set<String> values, Set<String> wanted) {
    for (String v : values) {
      if (wanted.contains(v)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a tool with this name, risk class and connector falls under this target. */
  public boolean matchesTool(String name, String risk, String connector) {
    return (tools.isEmpty() || tools.stream().anyMatch(p -> p.matches(name)))
        && (risks.isEmpty() || risks.contains(risk))
        && (connectors.isEmpty() || connectors.contains(connector));
  }
}
