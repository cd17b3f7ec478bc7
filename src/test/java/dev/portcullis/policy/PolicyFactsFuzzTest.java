package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.testing.Invocations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Agent-chosen arguments against a small compiled policy (a permit for everyone, and a forbid guard
 * over the arguments): the decision is DENY whenever the forbid's condition holds or cannot be
 * evaluated on those facts, and ALLOW only when it evaluates to false. Turning the arguments into
 * CEL values and deciding never throw. (Invariant: an error never loosens a decision.)
 */
class PolicyFactsFuzzTest {
  private static final CelConditions CEL = new CelConditions();
  private static final AgentRef BOT = new AgentRef("bot", "acme", null);
  private static final ToolFacts ORDERS =
      ToolFacts.fromSchema(
          "orders_update",
          "write",
          "erp",
          Invocations.JSON.readTree(
              """
      {"type": "object",
       "properties": {
         "orderId": {"type": "string"},
         "quantity": {"type": "integer"},
         "amount": {"type": "number"},
         "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
         "tags": {"type": "object", "additionalProperties": {"type": "integer"}},
         "note": {"type": "string"}},
       "required": ["orderId"],
       "$defs": {"line": {"type": "object", "properties": {"sku": {"type": "string"}, "count": {"type": "integer"}}}}}
      """));
  private static final ToolFacts UPSTREAM = ToolFacts.argumentsUnknown("kb.search", "read", "kb");
  private static final Target ALL =
      new Target(Set.of(), List.of(), Set.of(), Set.of(), Set.of(), List.of(), Set.of(), Set.of());
  private static final Rule PERMIT =
      new Rule(
          "everyone-may", "", RuleEffect.PERMIT, ALL, Optional.empty(), RuleMode.ENFORCE, "fuzz:1");

  /** Forbid guards of the kinds policies write: comparisons, arithmetic, macros, strings, maps. */
  private static final List<String> GUARDS =
      List.of(
          "args.amount > 100.0",
          "args.quantity * 2 > 10",
          "args.amount / double(args.quantity) > 50.0",
          "args.lines.exists(l, l.count > 5 || l.sku.startsWith('X'))",
          "size(args.lines) > 3",
          "args.note.contains('drop') || args.orderId == 'O-666'",
          "args.tags.all(k, args.tags[k] < 10) == false",
          "has(args.quantity) && args.quantity >= 1000",
          "args.orderId.matches('^O-[0-9]+$') == false",
          "int(args.note) > 3",
          "args.limit > 10",
          "args.q.size() > 64 || args.filters.exists(f, f == 'all')");

  private static final List<CompiledPolicy> POLICIES =
      GUARDS.stream()
          .map(
              when ->
                  new CompiledPolicy(
                      List.of(
                          PERMIT,
                          new Rule(
                              "guard",
                              "the guard",
                              RuleEffect.FORBID,
                              ALL,
                              Optional.of(CEL.compile(when, null)),
                              RuleMode.ENFORCE,
                              "fuzz:2")),
                      "v1",
                      List.of(ORDERS, UPSTREAM)))
          .toList();

  @FuzzTest
  @DictionaryEntries({
    "\"orderId\"",
    "\"quantity\"",
    "\"amount\"",
    "\"lines\"",
    "\"sku\"",
    "\"count\"",
    "\"tags\"",
    "\"note\"",
    "\"limit\"",
    "\"q\"",
    "\"filters\"",
    "\"O-666\"",
    "\"drop\"",
    "\"all\"",
    "\"X",
    "1e308",
    "-0.0",
    "9223372036854775807",
    "9223372036854775808",
    "1.0E19",
    "null",
    "true",
    "[]",
    "{}"
  })
  void anErrorOrAHoldingForbidNeverAllows(byte[] input) {
    // Byte 0 picks the guard, byte 1 the tool; the rest is the arguments' JSON.
    if (input.length < 2) {
      return;
    }
    int which = (input[0] & 0xff) % GUARDS.size();
    String tool = (input[1] & 1) == 0 ? "orders_update" : "kb.search";
    JsonNode args;
    try {
      args =
          Invocations.JSON.readTree(new String(input, 2, input.length - 2, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      return;
    }
    if (args == null || !args.isObject()) {
      return; // the edges and the validate stage pass objects only
    }
    Invocation inv = Invocations.call(BOT, tool, args, Map.of());
    CompiledPolicy policy = POLICIES.get(which);

    Map<String, Object> facts = PolicyFacts.of(inv, policy.argumentTypes(tool));
    boolean guardHoldsOrErrors;
    try {
      guardHoldsOrErrors = policy.rules().get(1).condition().orElseThrow().test(facts);
    } catch (Condition.ConditionException e) {
      guardHoldsOrErrors = true;
    }
    Decision decision = RuleEvaluator.decide(policy, inv);

    if (guardHoldsOrErrors) {
      assertThat(decision.effect()).as("%s on %s", GUARDS.get(which), args).isEqualTo(Effect.DENY);
      assertThat(decision.ruleIds()).contains("guard");
    } else {
      assertThat(decision.effect()).as("%s on %s", GUARDS.get(which), args).isEqualTo(Effect.ALLOW);
      assertThat(decision.errors()).isEmpty();
    }
  }
}
