package dev.portcullis.identity;

import dev.portcullis.invocation.AgentRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Authenticates agents by API key. Keys are looked up by their hash, so the presented key is never
 * compared or stored in the clear.
 *
 * <p>Security: neither the presented key nor its hash is logged or echoed by this class.
 */
public final class AgentDirectory {
  private final Map<String, AgentRef> byKeyHash;

  public AgentDirectory(List<AgentSpec> agents) {
    Map<String, AgentRef> map = new HashMap<>();
    for (AgentSpec agent : agents) {
      AgentRef ref = new AgentRef(agent.id(), agent.tenant(), null);
      for (String hash : agent.keyHashes()) {
        if (map.putIfAbsent(hash, ref) != null) {
          throw new IllegalArgumentException("an API key hash is configured for two agents");
        }
      }
    }
    this.byKeyHash = Map.copyOf(map);
  }

  public Optional<AgentRef> authenticate(String presentedKey) {
    if (presentedKey == null || presentedKey.isEmpty() || presentedKey.length() > 256) {
      return Optional.empty();
    }
    return Optional.ofNullable(byKeyHash.get(ApiKeys.hash(presentedKey)));
  }
}
