package dev.portcullis.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code tenants:} key of something scoped to tenants (an approver, a notification channel): the
 * tenants of agents it serves. By default the agents' one tenant; required when the agents are in
 * several, so that nothing configured once serves every tenant by accident. Each name must be an
 * agent's tenant (a typo fails the load).
 */
final class TenantsKey {
  private final ConfigReader r;
  private final Set<String> agentTenants;

  TenantsKey(ConfigReader r, Set<String> agentTenants) {
    this.r = r;
    this.agentTenants = Set.copyOf(agentTenants);
  }

  /**
   * The {@code tenants} of the object at {@code p}; empty, with a problem recorded, when it is
   * missing where required or names a tenant no agent is in. {@code whose} completes "name the ones
   * whose calls ..." in the message.
   */
  Optional<List<String>> read(String p, String whose) {
    String t = p + "/tenants";
    List<String> known = new ArrayList<>(new TreeSet<>(agentTenants));
    if (r.at(t).isMissingNode()) {
      if (known.size() == 1) {
        return Optional.of(known);
      }
      if (known.size() > 1) {
        r.problem(
            p,
            "'tenants' is required: the agents are in several tenants "
                + known
                + "; name the ones whose calls "
                + whose);
      }
      return Optional.empty();
    }
    List<String> tenants = r.strings(t, true);
    boolean ok = !tenants.isEmpty();
    for (int k = 0; k < tenants.size(); k++) {
      if (!agentTenants.contains(tenants.get(k))) {
        r.problem(
            t + "/" + k,
            "no agent is in tenant '" + tenants.get(k) + "'; the agents' tenants are " + known);
        ok = false;
      }
    }
    return ok ? Optional.of(List.copyOf(new LinkedHashSet<>(tenants))) : Optional.empty();
  }
}
