package dev.portcullis.testing;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.UserRef;
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

  /** A call by {@code agent} for the verified {@code user} (null for none). */
  public static Invocation call(AgentRef agent, UserRef user, String tool, String argumentsJson) {
    Invocation inv = call(agent, tool, JSON.readTree(argumentsJson), Map.of());
    return new Invocation(
        inv.invocationId(),
        inv.traceId(),
        inv.requestId(),
        null,
        agent,
        user,
        inv.sessionId(),
        inv.channel(),
        tool,
        null,
        inv.arguments(),
        Map.of(),
        T0,
        inv.state(),
        null,
        null);
  }

  public static Invocation call(
      AgentRef agent, String tool, JsonNode args, Map<String, String> context) {
    return Invocation.received(
        "inv-1",
        "0af7651916cd43dd8448eb211c80319c",
        "req-1",
        null,
        agent,
        null,
        "sess-1",
        "test",
        tool,
        args,
        context,
        T0);
  }
}
