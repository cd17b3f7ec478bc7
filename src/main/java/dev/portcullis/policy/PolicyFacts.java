package dev.portcullis.policy;

import dev.portcullis.invocation.Invocation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Turns an invocation into the plain values a CEL condition reads. */
final class PolicyFacts {
  private PolicyFacts() {}

  static Map<String, Object> of(Invocation inv) {
    Map<String, Object> agent = Map.of("id", inv.agent().id(), "tenant", inv.agent().tenant());
    Map<String, Object> user = new HashMap<>();
    if (inv.user() != null && inv.user().verified()) {
      user.put("id", inv.user().id());
      user.put("roles", List.copyOf(inv.user().roles()));
      user.put("groups", List.copyOf(inv.user().groups()));
      if (inv.user().tenant() != null) {
        user.put("tenant", inv.user().tenant());
      }
    }
    Map<String, Object> tool = new HashMap<>();
    tool.put("name", inv.toolName());
    if (inv.tool() != null) {
      tool.put("risk", inv.tool().riskClass());
      tool.put("version", inv.tool().version());
      tool.put("connector", inv.tool().connector());
    }
    Map<String, Object> context = new HashMap<>(inv.policyContext());
    context.put("channel", inv.channel());
    context.put("time", inv.receivedAt().toString());
    Map<String, Object> session = new HashMap<>();
    if (inv.sessionId() != null) {
      session.put("id", inv.sessionId());
    }
    return Map.of(
        "args", value(inv.arguments()),
        "agent", agent,
        "user", user,
        "tool", tool,
        "context", context,
        "session", session);
  }

  /** JSON to CEL values: integers become int (long), other numbers double. */
  static Object value(JsonNode node) {
    return switch (node.getNodeType()) {
      case OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), value(e.getValue())));
        yield map;
      }
      case ARRAY -> {
        List<Object> list = new ArrayList<>(node.size());
        node.forEach(n -> list.add(value(n)));
        yield list;
      }
      case STRING -> node.asString();
      case BOOLEAN -> node.asBoolean();
      case NUMBER -> node.isIntegralNumber() && node.canConvertToLong() ? node.asLong() : node.asDouble();
      case NULL, MISSING -> dev.cel.common.values.NullValue.NULL_VALUE;
      default -> node.toString();
    };
  }
}
