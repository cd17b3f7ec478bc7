package dev.portcullis.policy;

import dev.cel.common.values.NullValue;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.UserRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an invocation into the plain values a CEL condition reads. Every attribute of {@code user},
 * {@code tool}, {@code context} and {@code session} is always present, so a condition never fails
 * because a call lacks one: an absent text is {@code null}, absent roles or groups an empty list
 * ({@code user.id == 'bob'} is false without a verified user, {@code 'finance' in user.roles} too).
 * Only {@code args} mirrors the call: an argument the agent left out is absent ({@code has(args.x)}
 * tests it), and numbers take the type the tool's schema declares ({@link ArgumentTypes}).
 */
final class PolicyFacts {
  private PolicyFacts() {}

  static Map<String, Object> of(Invocation inv, ArgumentTypes argumentTypes) {
    Map<String, Object> agent = Map.of("id", inv.agent().id(), "tenant", inv.agent().tenant());
    Map<String, Object> user = new HashMap<>();
    UserRef verified = inv.user() != null && inv.user().verified() ? inv.user() : null;
    user.put("id", orNull(verified == null ? null : verified.id()));
    user.put("tenant", orNull(verified == null ? null : verified.tenant()));
    user.put("roles", verified == null ? List.of() : List.copyOf(verified.roles()));
    user.put("groups", verified == null ? List.of() : List.copyOf(verified.groups()));
    Map<String, Object> tool = new HashMap<>();
    tool.put("name", inv.toolName());
    tool.put("risk", orNull(inv.tool() == null ? null : inv.tool().riskClass()));
    tool.put("version", orNull(inv.tool() == null ? null : inv.tool().version()));
    tool.put("connector", orNull(inv.tool() == null ? null : inv.tool().connector()));
    Map<String, Object> context = new HashMap<>();
    for (String name : CelConditions.ATTRIBUTES.get("context")) {
      context.put(name, orNull(inv.policyContext().get(name)));
    }
    // Gateway facts last: what the gateway knows is never what the agent said.
    context.put("channel", inv.channel());
    context.put("time", inv.receivedAt().toString());
    Map<String, Object> session = new HashMap<>();
    session.put("id", orNull(inv.sessionId()));
    return Map.of(
        "args", argumentTypes.toCel(inv.arguments()),
        "agent", agent,
        "user", user,
        "tool", tool,
        "context", context,
        "session", session);
  }

  private static Object orNull(String value) {
    return value == null ? NullValue.NULL_VALUE : value;
  }
}
