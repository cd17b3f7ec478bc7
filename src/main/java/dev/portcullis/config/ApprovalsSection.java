package dev.portcullis.config;

import dev.portcullis.approval.ApprovalSettings;
import dev.portcullis.approval.QuorumRule;
import dev.portcullis.identity.ApiKeys;
import dev.portcullis.identity.ApproverSpec;
import dev.portcullis.identity.IssuerSpec;
import dev.portcullis.policy.NamePattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads {@code approvers:} (who may decide approval requests: named operators with API key hashes,
 * and people whose operator token from a configured issuer carries a role; each scoped to tenants)
 * and {@code approvals:} ({@code timeout}, how long a request waits; {@code quorum}, which tools
 * need several distinct approvers; {@code mcpWait}, how long a parked MCP call stays open for the
 * decision). An approver's key may not also be an agent's: no agent can approve. A quorum larger
 * than the named approvers (when no role approves) is refused: those calls could never be approved.
 */
final class ApprovalsSection {
  private static final Pattern ZERO = Pattern.compile("0+(ms|s|m|h)");
  private final ConfigReader r;

  ApprovalsSection(ConfigReader r) {
    this.r = r;
  }

  /**
   * {@code approvals:}, given how many approvers {@code approvers:} configures for the tenant that
   * has fewest, {@code scarcest} (null when the agents share one tenant), and the names of the
   * catalog's tools (a quorum entry must name at least one).
   */
  ApprovalSettings settings(int approverCount, String scarcest, Set<String> toolNames) {
    if (r.at("/approvals").isMissingNode()) {
      return ApprovalSettings.DEFAULTS;
    }
    if (!r.isObject("/approvals", false)) {
      return ApprovalSettings.DEFAULTS;
    }
    r.onlyKeys("/approvals", Set.of("timeout", "quorum", "notify", "mcpWait"));
    Duration timeout = r.duration("/approvals/timeout", ApprovalSettings.DEFAULT_TIMEOUT);
    return new ApprovalSettings(
        timeout, quorum(approverCount, scarcest, toolNames), mcpWait(timeout));
  }

  /**
   * {@code approvals.mcpWait}: a duration, zero allowed (answer at once), shorter than the timeout.
   */
  private Duration mcpWait(Duration timeout) {
    String p = "/approvals/mcpWait";
    if (r.at(p).isMissingNode()) {
      return ApprovalSettings.defaultMcpWait(timeout);
    }
    Duration wait =
        ZERO.matcher(r.at(p).asString("")).matches() ? Duration.ZERO : r.duration(p, null);
    if (wait == null) {
      return ApprovalSettings.defaultMcpWait(timeout);
    }
    if (wait.compareTo(timeout) >= 0) {
      r.problem(
          p,
          "must be shorter than approvals.timeout ("
              + r.at("/approvals/timeout").asString("1h")
              + "): a call is not held open up to its approval's deadline; 0s answers at once");
      return ApprovalSettings.defaultMcpWait(timeout);
    }
    return wait;
  }

  /** {@code approvals.quorum}: {@code [{tools: [name or glob…], approvers: N}…]}. */
  private List<QuorumRule> quorum(int approverCount, String scarcest, Set<String> toolNames) {
    List<QuorumRule> out = new ArrayList<>();
    int n = r.list("/approvals/quorum", false);
    for (int i = 0; i < n; i++) {
      String p = "/approvals/quorum/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      r.onlyKeys(p, Set.of("tools", "approvers"));
      List<String> tools = r.strings(p + "/tools", true);
      List<NamePattern> patterns = new ArrayList<>();
      for (int t = 0; t < tools.size(); t++) {
        NamePattern pattern = NamePattern.compile(tools.get(t));
        if (toolNames.stream().noneMatch(pattern::matches)) {
          // A typo here would silently let one approver decide what was meant to need several.
          r.problem(
              p + "/tools/" + t,
              pattern.isGlob()
                  ? "'" + pattern + "' matches no defined tool"
                  : "no tool named '" + pattern + "' is defined");
        }
        patterns.add(pattern);
      }
      Optional<Integer> approvers = approvers(p + "/approvers", approverCount, scarcest);
      if (approvers.isPresent() && !tools.isEmpty()) {
        out.add(
            new QuorumRule(
                tools, approvers.get(), name -> patterns.stream().anyMatch(q -> q.matches(name))));
      }
    }
    return out;
  }

  private Optional<Integer> approvers(String pointer, int approverCount, String scarcest) {
    JsonNode node = r.at(pointer);
    if (node.isMissingNode() || node.isNull()) {
      r.problem(pointer, "is required: how many distinct approvers these tools need (at least 2)");
      return Optional.empty();
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 2) {
      r.problem(
          pointer,
          "must be a whole number of at least 2; one approver is the default for every tool");
      return Optional.empty();
    }
    int wanted = node.asInt();
    if (wanted > approverCount) {
      r.problem(
          pointer,
          wanted
              + " approvers are required but only "
              + approverCount
              + " are configured under"
              + " approvers:"
              + (scarcest == null ? "" : " for tenant " + scarcest)
              + ", so these tools could never be"
              + " approved"
              + (scarcest == null ? "" : " there")
              + "; add approvers or lower the number");
      return Optional.empty();
    }
    return Optional.of(wanted);
  }

  /**
   * {@code approvers:}, given the agents' key hashes (never an approver's), the issuers by name (an
   * approver by role needs one, and an operator audience none of its {@code audiences}) and the
   * agents' tenants (an approver's {@code tenants} must be among them; when the agents share one
   * tenant it is the default, otherwise {@code tenants} is required).
   */
  List<ApproverSpec> approvers(
      Set<String> agentKeyHashes, Map<String, IssuerSpec> issuers, Set<String> agentTenants) {
    List<ApproverSpec> out = new ArrayList<>();
    if (r.at("/approvers").isMissingNode()) {
      return out;
    }
    Set<String> ids = new HashSet<>();
    Set<String> keys = new HashSet<>();
    int n = r.list("/approvers", false);
    for (int i = 0; i < n; i++) {
      String p = "/approvers/" + i;
      if (!r.isObject(p, true)) {
        continue;
      }
      boolean named = !r.at(p + "/id").isMissingNode() || !r.at(p + "/keys").isMissingNode();
      if (named || (r.at(p + "/role").isMissingNode() && r.at(p + "/issuer").isMissingNode())) {
        keyed(p, agentKeyHashes, ids, keys, agentTenants).ifPresent(out::add);
      } else {
        byRole(p, issuers, agentTenants).ifPresent(out::add);
      }
    }
    return out;
  }

  private Optional<ApproverSpec> keyed(
      String p,
      Set<String> agentKeyHashes,
      Set<String> ids,
      Set<String> keys,
      Set<String> agentTenants) {
    r.onlyKeys(p, Set.of("id", "keys", "tenants"));
    Optional<String> id = r.matching(p + "/id", true, ConfigLoader.ID, ConfigLoader.ID_RULE);
    id.filter(v -> !ids.add(v))
        .ifPresent(v -> r.problem(p + "/id", "approver '" + v + "' is defined twice"));
    List<String> hashes = r.strings(p + "/keys", true);
    for (int k = 0; k < hashes.size(); k++) {
      String h = hashes.get(k);
      if (!ApiKeys.STORED_FORM.matcher(h).matches()) {
        r.problem(
            p + "/keys/" + k,
            "must be sha256:<64 lowercase hex>; create one with 'portcullis keygen'");
      } else if (agentKeyHashes.contains(h)) {
        r.problem(
            p + "/keys/" + k,
            "this key hash is an agent's; an agent can never approve, give the approver a key of their own");
      } else if (!keys.add(h)) {
        r.problem(p + "/keys/" + k, "this key hash is already given to another approver");
      }
    }
    Optional<List<String>> tenants = tenants(p, agentTenants);
    return id.flatMap(v -> tenants.map(t -> new ApproverSpec.Keyed(v, hashes, t)));
  }

  /**
   * {@code {issuer: corp-idp, role: portcullis-approver, audience: portcullis-operators}}: every
   * person with that role there, signing in with a token issued for that audience. The audience is
   * required and must not be one of the issuer's {@code audiences}: those are the audiences of
   * agents' and delegating users' tokens, and an agent holds its user's token.
   */
  private Optional<ApproverSpec> byRole(
      String p, Map<String, IssuerSpec> issuers, Set<String> agentTenants) {
    r.onlyKeys(p, Set.of("issuer", "role", "audience", "tenants"));
    Optional<String> issuer = r.string(p + "/issuer", true);
    Optional<String> role = r.string(p + "/role", true);
    issuer
        .filter(v -> !issuers.containsKey(v))
        .ifPresent(
            v ->
                r.problem(
                    p + "/issuer",
                    "no issuer '"
                        + v
                        + "' is configured under identity.issuers; approvers by role need one that signs their tokens"));
    role.filter(String::isBlank).ifPresent(v -> r.problem(p + "/role", "must name a role"));
    Optional<String> audience = audience(p, issuer.map(issuers::get));
    Optional<List<String>> tenants = tenants(p, agentTenants);
    if (issuer.isEmpty()
        || role.isEmpty()
        || !issuers.containsKey(issuer.get())
        || role.get().isBlank()
        || audience.isEmpty()
        || tenants.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ApproverSpec.ByRole(issuer.get(), role.get(), audience.get(), tenants.get()));
  }

  /**
   * An approver by role's {@code audience}: required, and none of its issuer's delegation
   * audiences.
   */
  private Optional<String> audience(String p, Optional<IssuerSpec> issuer) {
    String a = p + "/audience";
    if (r.at(a).isMissingNode()) {
      r.problem(
          p,
          "'audience' is required: the audience of operator tokens (for example portcullis-operators),"
              + " which must differ from the issuer's audiences, the ones agents' and delegating users' tokens carry;"
              + " an agent holds its user's token and must never approve with it");
      return Optional.empty();
    }
    Optional<String> audience = r.string(a, true);
    if (audience.isPresent()
        && issuer.isPresent()
        && issuer.get().audiences().contains(audience.get())) {
      r.problem(
          a,
          "'"
              + audience.get()
              + "' is one of the audiences of issuer '"
              + issuer.get().name()
              + "' (identity.issuers[].audiences), which agents' and delegating users' tokens carry; operator tokens"
              + " need an audience of their own, such as "
              + audience.get()
              + "-operators");
      return Optional.empty();
    }
    return audience;
  }

  /** An approver's {@code tenants}: the tenants of agents whose calls they decide. */
  private Optional<List<String>> tenants(String p, Set<String> agentTenants) {
    return new TenantsKey(r, agentTenants).read(p, "this approver decides");
  }
}
