package dev.portcullis.config;

import dev.portcullis.approval.ApprovalSettings;
import dev.portcullis.identity.ApiKeys;
import dev.portcullis.identity.ApproverSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code approvers:} (the operators who may decide approval requests, each with API key
 * hashes) and {@code approvals:} ({@code timeout}, how long a request waits; {@code mcpWait}, how long
 * a parked MCP call stays open for the decision). An approver's key may
 * not also be an agent's: no agent can approve.
 */
final class ApprovalsSection {
  private static final Pattern ZERO = Pattern.compile("0+(ms|s|m|h)");
  private final ConfigReader r;

  ApprovalsSection(ConfigReader r) {
    this.r = r;
  }

  ApprovalSettings settings() {
    if (r.at("/approvals").isMissingNode()) {
      return ApprovalSettings.DEFAULTS;
    }
    if (!r.isObject("/approvals", false)) {
      return ApprovalSettings.DEFAULTS;
    }
    r.onlyKeys("/approvals", Set.of("timeout", "mcpWait"));
    Duration timeout = r.duration("/approvals/timeout", ApprovalSettings.DEFAULT_TIMEOUT);
    return new ApprovalSettings(timeout, mcpWait(timeout));
  }

  /** {@code approvals.mcpWait}: a duration, zero allowed (answer at once), shorter than the timeout. */
  private Duration mcpWait(Duration timeout) {
    String p = "/approvals/mcpWait";
    if (r.at(p).isMissingNode()) {
      return ApprovalSettings.defaultMcpWait(timeout);
    }
    Duration wait = ZERO.matcher(r.at(p).asString("")).matches() ? Duration.ZERO : r.duration(p, null);
    if (wait == null) {
      return ApprovalSettings.defaultMcpWait(timeout);
    }
    if (wait.compareTo(timeout) >= 0) {
      r.problem(p, "must be shorter than approvals.timeout (" + r.at("/approvals/timeout").asString("1h")
          + "): a call is not held open up to its approval's deadline; 0s answers at once");
      return ApprovalSettings.defaultMcpWait(timeout);
    }
    return wait;
  }

  List<ApproverSpec> approvers(Set<String> agentKeyHashes) {
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
      r.onlyKeys(p, Set.of("id", "keys"));
      Optional<String> id = r.matching(p + "/id", true, ConfigLoader.ID, ConfigLoader.ID_RULE);
      id.filter(v -> !ids.add(v)).ifPresent(v -> r.problem(p + "/id", "approver '" + v + "' is defined twice"));
      List<String> hashes = r.strings(p + "/keys", true);
      for (int k = 0; k < hashes.size(); k++) {
        String h = hashes.get(k);
        if (!ApiKeys.STORED_FORM.matcher(h).matches()) {
          r.problem(p + "/keys/" + k, "must be sha256:<64 lowercase hex>; create one with 'portcullis keygen'");
        } else if (agentKeyHashes.contains(h)) {
          r.problem(p + "/keys/" + k, "this key hash is an agent's; an agent can never approve, give the approver a key of their own");
        } else if (!keys.add(h)) {
          r.problem(p + "/keys/" + k, "this key hash is already given to another approver");
        }
      }
      id.ifPresent(v -> out.add(new ApproverSpec(v, hashes)));
    }
    return out;
  }
}
