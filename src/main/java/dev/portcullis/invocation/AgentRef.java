package dev.portcullis.invocation;

import java.util.Objects;

/** The service identity of the agent that asked, as authenticated at the edge. */
public record AgentRef(String id, String tenant, String bundleVersion) {
  public AgentRef {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
  }
}
