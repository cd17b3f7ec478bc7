package dev.portcullis.testing;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Invocation;
import java.time.Instant;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Invocations for unit tests. */
public final class Invocations {
  public static final JsonMapper JSON = JsonMapper.builder().build();
  public static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private Invocations() {}

  public static Invocation call(String agent, String tool, String argumentsJson) {
    return call(new AgentRef(agent, "acme", null), tool, JSON.readTree(argumentsJson), Map.of());
  }

  public static Invocation call(AgentRef agent, String tool, JsonNode args, Map<String, String> context) {
    return Invocation.received(
        "inv-1", "0af7651916cd43dd8448eb211c80319c", "req-1", null, agent, "user-7", "sess-1", "test", tool,
        args, context, T0);
  }
}
