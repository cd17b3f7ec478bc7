package dev.portcullis.identity;

import java.util.List;
import java.util.Objects;

/** An agent as configured: its identity, and the hashes of the API keys it may present. */
public record AgentSpec(String id, String tenant, String description, List<String> keyHashes) {
  public AgentSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(description, "description");
    keyHashes = List.copyOf(keyHashes);
  }
}
