package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.testing.Invocations;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Invariant 10, tried as a hostile agent would: every way an agent can make a guard's condition
 * fail (or, before facts had a declared shape, made it fail) is tried against a forbid and against
 * a require_approval rule. None of them may turn the guard into an allow.
 */
class FailClosedPolicyTest {
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
         "note": {"type": "string"}},
       "required": ["orderId"],
       "$defs": {"line": {"type": "object", "properties": {"sku": {"type": "string"}, "count": {"type": "integer"}}}}}
      """));
  private static final ToolFacts UPSTREAM = ToolFacts.argumentsUnknown("kb.search", "read", "kb");

  /** The two guards: what each must produce when it holds (or cannot be evaluated). */
  enum Guard {
    FORBID(RuleEffect.FORBID, Effect.DENY),
    REQUIRE_APPROVAL(RuleEffect.REQUIRE_APPROVAL, Effect.REQUIRE_APPROVAL);

    final RuleEffect effect;
    final Effect holds;

    Guard(RuleEffect effect, Effect holds) {
      this.effect = effect;
      this.holds = holds;
    }
  }

  private static Decision decide(Guard guard, String when, Invocation inv) {
    Target all =
        new Target(
            Set.of(), List.of(), Set.of(), Set.of(), Set.of(), List.of(), Set.of(), Set.of());
    Rule permit =
        new Rule("bot-may", "", RuleEffect.PERMIT, all, Optional.empty(), RuleMode.ENFORCE, "t:1");
    Rule rule =
        new Rule(
            "guard",
            "the guard",
            guard.effect,
            all,
            Optional.of(CEL.compile(when, null)),
            RuleMode.ENFORCE,
            "t:2");
    return RuleEvaluator.decide(
        new CompiledPolicy(List.of(permit, rule), "v1", List.of(ORDERS, UPSTREAM)), inv);
  }

  private static Invocation call(String args) {
    return Invocations.call(BOT, null, "orders_update", args);
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardReadingAnArgumentTheAgentLeftOutStillHolds(Guard guard) {
    Decision d = decide(guard, "args.amount > 100", call("{\"orderId\": \"O-1\"}"));

    assertThat(d.effect()).isEqualTo(guard.holds);
    assertThat(d.ruleIds()).containsExactly("guard");
    assertThat(d.errors()).singleElement().asString().startsWith("guard: ").contains("amount");
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardOverANumberPastTheDoubleRangeHolds(Guard guard) {
    String huge = "9".repeat(400);
    Decision d =
        decide(
            guard, "args.amount > 100.0", call("{\"orderId\": \"O-1\", \"amount\": " + huge + "}"));

    assertThat(d.effect()).isEqualTo(guard.holds);
    assertThat(d.ruleIds()).containsExactly("guard");
    assertThat(d.errors()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardAboutTheUserHoldsWhenTheAgentSendsNoUserToken(Guard guard) {
    Decision d = decide(guard, "!('finance' in user.roles)", call("{\"orderId\": \"O-1\"}"));

    assertThat(d.effect()).isEqualTo(guard.holds);
    assertThat(d.errors()).as("an absent user is an empty one, not an error").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardComparingTheUserIdHoldsWithoutAUser(Guard guard) {
    assertThat(decide(guard, "user.id != 'alice'", call("{\"orderId\": \"O-1\"}")).effect())
        .isEqualTo(guard.holds);
    assertThat(decide(guard, "user.id == 'mallory'", call("{\"orderId\": \"O-1\"}")).effect())
        .isEqualTo(Effect.ALLOW);
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardOnPolicyContextHoldsWhenTheCallCarriesNone(Guard guard) {
    // MCP calls never carry a policy context: every context.* rule must still mean something there.
    Decision d = decide(guard, "context.region != 'eu'", call("{\"orderId\": \"O-1\"}"));

    assertThat(d.effect()).isEqualTo(guard.holds);
    assertThat(d.errors()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardOnAnIntegerArgumentHoldsWhenTheAgentWritesItAsADecimal(Guard guard) {
    // 3.0 is a valid JSON Schema integer; as a CEL double it would make int arithmetic fail.
    assertThat(
            decide(
                    guard,
                    "args.quantity % 2 == 1",
                    call("{\"orderId\": \"O-1\", \"quantity\": 3.0}"))
                .effect())
        .isEqualTo(guard.holds);
    assertThat(
            decide(
                    guard,
                    "args.quantity + 1 > 50",
                    call("{\"orderId\": \"O-1\", \"quantity\": 100.0}"))
                .errors())
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardOnANumberArgumentHoldsWhenTheAgentWritesItAsAnInteger(Guard guard) {
    Decision d =
        decide(guard, "args.amount * 1.5 > 150.0", call("{\"orderId\": \"O-1\", \"amount\": 120}"));

    assertThat(d.effect()).isEqualTo(guard.holds);
    assertThat(d.errors()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void integersInsideArraysOfReferencedObjectsAreIntsToo(Guard guard) {
    Decision d =
        decide(
            guard,
            "args.lines.exists(l, l.count % 2 == 0)",
            call("{\"orderId\": \"O-1\", \"lines\": [{\"sku\": \"A\", \"count\": 4.0}]}"));

    assertThat(d.effect()).isEqualTo(guard.holds);
    assertThat(d.errors()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardOnAListLongerThanTheIterationBudgetStillHolds(Guard guard) {
    String lines =
        IntStream.range(0, 1_500)
            .mapToObj(i -> "{\"sku\": \"S" + i + "\"}")
            .collect(Collectors.joining(","));

    Decision d =
        decide(
            guard,
            "args.lines.exists(l, l.sku == 'FORBIDDEN')",
            call("{\"orderId\": \"O-1\", \"lines\": [" + lines + "]}"));

    assertThat(d.effect()).isEqualTo(guard.holds);
    assertThat(d.errors()).singleElement().asString().startsWith("guard: ");
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardFedAStringWhereItComparesANumberStillHolds(Guard guard) {
    // Upstream tools have no schema at load: the agent chooses every argument's type.
    Decision d =
        decide(
            guard,
            "args.limit > 10",
            Invocations.call(BOT, null, "kb.search", "{\"limit\": \"many\"}"));

    assertThat(d.effect()).isEqualTo(guard.holds);
    assertThat(d.errors()).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(Guard.class)
  void aGuardThatTestsForTheArgumentFirstDoesNotHoldWhenItIsLeftOut(Guard guard) {
    Decision d =
        decide(guard, "has(args.amount) && args.amount > 100", call("{\"orderId\": \"O-1\"}"));

    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.errors()).isEmpty();
  }

  @Test
  void aPermitWhoseConditionErrorsNeverAllows() {
    Target all =
        new Target(
            Set.of(), List.of(), Set.of(), Set.of(), Set.of(), List.of(), Set.of(), Set.of());
    Rule permit =
        new Rule(
            "small",
            "",
            RuleEffect.PERMIT,
            all,
            Optional.of(CEL.compile("args.amount < 100", null)),
            RuleMode.ENFORCE,
            "t:1");

    Decision d =
        RuleEvaluator.decide(
            new CompiledPolicy(List.of(permit), "v1", List.of(ORDERS)),
            call("{\"orderId\": \"O-1\"}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly(Decision.DEFAULT_DENY);
    assertThat(d.errors()).singleElement().asString().startsWith("small: ");
  }

  @Test
  void aLogOnlyForbidThatErrorsIsRecordedAsWouldDeny() {
    Target all =
        new Target(
            Set.of(), List.of(), Set.of(), Set.of(), Set.of(), List.of(), Set.of(), Set.of());
    Rule permit =
        new Rule("bot-may", "", RuleEffect.PERMIT, all, Optional.empty(), RuleMode.ENFORCE, "t:1");
    Rule shadow =
        new Rule(
            "try-forbid",
            "",
            RuleEffect.FORBID,
            all,
            Optional.of(CEL.compile("args.amount > 1", null)),
            RuleMode.LOG_ONLY,
            "t:2");

    Decision d =
        RuleEvaluator.decide(
            new CompiledPolicy(List.of(permit, shadow), "v1", List.of(ORDERS)),
            call("{\"orderId\": \"O-1\"}"));

    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.shadows())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.ruleId()).isEqualTo("try-forbid");
              assertThat(s.wouldBe()).isEqualTo(Effect.DENY);
              assertThat(s.flips()).isTrue();
            });
  }

  @Test
  void numbersTakeTheTypeTheSchemaDeclares() {
    ArgumentTypes types = ORDERS.argumentTypes();

    @SuppressWarnings("unchecked")
    Map<String, Object> args =
        (Map<String, Object>)
            types.toCel(
                Invocations.JSON.readTree(
                    "{\"quantity\": 3.0, \"amount\": 100, \"note\": \"x\", \"lines\": [{\"count\": 2.0}], \"extra\": 4.0, \"big\": 1e30}"));

    assertThat(args.get("quantity")).isEqualTo(3L);
    assertThat(args.get("amount")).isEqualTo(100.0);
    assertThat(args.get("lines")).isEqualTo(List.of(Map.of("count", 2L)));
    assertThat(args.get("extra")).as("undeclared whole numbers are ints").isEqualTo(4L);
    assertThat(args.get("big")).as("beyond 64 bits stays a double").isEqualTo(1e30);
  }
}
