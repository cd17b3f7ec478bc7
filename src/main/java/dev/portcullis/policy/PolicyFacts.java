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
    if (inv.userId() != null) {
      user.put("id", inv.userId());
    }
    Map<String, Object> tool = new HashMap<>();
    tool.put("name", inv.toolName());
    if (inv.tool() != null) {
      tool.put("risk", inv.tool().riskClass());
      tool.put("version", inv.tool().version());
    }
    Map<String, Object> context = new HashMap<>(inv.policyContext());
    context.put("channel", inv.channel());
    return Map.of(
        "args", value(inv.arguments()),
        "agent", agent,
        "user", user,
        "tool", tool,
        "context", context);
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
