package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.ShadowDecision;
import dev.portcullis.invocation.UserRef;
import dev.portcullis.testing.Invocations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The semantics table in RuleEvaluator's class comment, row by row, and the cases around it. */
class RuleEvaluatorTest {
  private static final CelConditions CEL = new CelConditions();
  private static final List<ToolFacts> TOOLS = List.of(
      new ToolFacts("refund", "write", "erp", Set.of("amount", "order")),
      new ToolFacts("crm_get", "read", "crm", Set.of("id", "limit")),
      new ToolFacts("crm_list", "read", "crm", Set.of("limit")));
  private static final AgentRef BOT = new AgentRef("bot", "acme", null);
  private static final UserRef FINANCE = new UserRef("alice", "acme", Set.of("finance"), Set.of("emea"), true);
  private static final UserRef INTERN = new UserRef("bob", "acme", Set.of("intern"), Set.of(), true);

  private static Rule rule(String id, RuleEffect effect, Target target, String when) {
    return rule(id, effect, target, when, RuleMode.ENFORCE);
  }

  private static Rule rule(String id, RuleEffect effect, Target target, String when, RuleMode mode) {
    return new Rule(id, "the " + id + " rule", effect, target,
        Optional.ofNullable(when).map(w -> CEL.compile(w, Set.of("amount", "order", "id", "limit"))), mode, "test.yaml:1");
  }

  private static Target agents(String agent, String... tools) {
    return new Target(Set.of(), List.of(NamePattern.compile(agent)), Set.of(), Set.of(), Set.of(),
        Arrays.stream(tools).map(NamePattern::compile).toList(), Set.of(), Set.of());
  }

  private static Target roles(String role, String... tools) {
    return new Target(Set.of(), List.of(), Set.of(), Set.of(role), Set.of(), 
        Arrays.stream(tools).map(NamePattern::compile).toList(), Set.of(), Set.of());
  }

  private static Target tools(String... tools) {
    return new Target(Set.of(), List.of(), Set.of(), Set.of(), Set.of(),
        Arrays.stream(tools).map(NamePattern::compile).toList(), Set.of(), Set.of());
  }

  private static Decision decide(List<Rule> rules, Invocation inv) {
    return RuleEvaluator.decide(new CompiledPolicy(rules, "v1", TOOLS), inv);
  }

  private static Invocation call(String tool, String args) {
    return Invocations.call(BOT, null, tool, args);
  }

  @Test
  void noMatchingRuleIsDefaultDeny() {
    Decision d = decide(List.of(rule("p", RuleEffect.PERMIT, agents("other", "crm_*"), null)), call("crm_get", "{}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly(Decision.DEFAULT_DENY);
    assertThat(d.reason()).isEqualTo("no rule permits agent 'bot' to call 'crm_get'");
    assertThat(d.policyVersion()).isEqualTo("v1");
  }

  @Test
  void permitAllowsWithTheIdsOfEveryPermitThatHeld() {
    Decision d = decide(List.of(
        rule("any-read", RuleEffect.PERMIT, agents("bot", "crm_*"), null),
        rule("small", RuleEffect.PERMIT, agents("bot", "crm_get"), "args.limit < 10"),
        rule("never", RuleEffect.PERMIT, agents("bot", "crm_get"), "args.limit > 100")), call("crm_get", "{\"limit\": 5}"));

    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.ruleIds()).containsExactly("any-read", "small");
    assertThat(d.reason()).isEqualTo("permitted by rule any-read: the any-read rule");
  }

  @Test
  void forbidWinsOverPermitAndApproval() {
    Decision d = decide(List.of(
        rule("permit", RuleEffect.PERMIT, agents("bot", "refund"), null),
        rule("approve", RuleEffect.REQUIRE_APPROVAL, tools("refund"), null),
        rule("never-big", RuleEffect.FORBID, tools("refund"), "args.amount > 1000")), call("refund", "{\"amount\": 5000}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly("never-big");
    assertThat(d.reason()).isEqualTo("forbidden by rule never-big: the never-big rule");
  }

  @Test
  void requireApprovalOverridesPermit() {
    Decision d = decide(List.of(
        rule("permit", RuleEffect.PERMIT, agents("bot", "refund"), null),
        rule("big-needs-approval", RuleEffect.REQUIRE_APPROVAL, tools("refund"), "args.amount > 100")),
        call("refund", "{\"amount\": 150}"));

    assertThat(d.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
    assertThat(d.ruleIds()).containsExactly("big-needs-approval");
  }

  @Test
  void requireApprovalNeverGrantsOnItsOwn() {
    Decision d = decide(List.of(rule("approve", RuleEffect.REQUIRE_APPROVAL, tools("refund"), null)),
        call("refund", "{\"amount\": 150}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly(Decision.DEFAULT_DENY);
  }

  @Test
  void permitWhoseConditionErrorsIsNotCountedRecordedAndNeverAllows() {
    Decision d = decide(List.of(rule("small", RuleEffect.PERMIT, agents("bot", "refund"), "args.amount <= 100")),
        call("refund", "{\"order\": \"o-1\"}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.errors()).singleElement().asString().startsWith("small: ");
  }

  @Test
  void erroringForbidCountsAsMatchedAndDenies() {
    Decision d = decide(List.of(
        rule("permit", RuleEffect.PERMIT, agents("bot", "refund"), null),
        rule("forbid-big", RuleEffect.FORBID, tools("refund"), "args.amount > 1000")), call("refund", "{\"order\": \"o-1\"}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly("forbid-big");
    assertThat(d.reason()).isEqualTo("forbidden by rule forbid-big: the forbid-big rule");
    assertThat(d.errors()).singleElement().asString().startsWith("forbid-big: ");
  }

  @Test
  void erroringApprovalRuleCountsAsMatchedAndHoldsTheCall() {
    Decision d = decide(List.of(
        rule("permit", RuleEffect.PERMIT, agents("bot", "refund"), null),
        rule("big-needs-approval", RuleEffect.REQUIRE_APPROVAL, tools("refund"), "args.amount > 100")),
        call("refund", "{\"order\": \"o-1\"}"));

    assertThat(d.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
    assertThat(d.ruleIds()).containsExactly("big-needs-approval");
    assertThat(d.errors()).singleElement().asString().startsWith("big-needs-approval: ");
  }

  @Test
  void agentMayButUserMayNotIsDenied() {
    List<Rule> rules = List.of(
        rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null),
        rule("finance-refunds", RuleEffect.PERMIT, roles("finance", "refund"), null));

    Decision intern = decide(rules, Invocations.call(BOT, INTERN, "refund", "{\"amount\": 10}"));
    Decision finance = decide(rules, Invocations.call(BOT, FINANCE, "refund", "{\"amount\": 10}"));

    assertThat(intern.effect()).isEqualTo(Effect.DENY);
    assertThat(intern.reason()).contains("no rule permits user 'bob'");
    assertThat(finance.effect()).isEqualTo(Effect.ALLOW);
    assertThat(finance.ruleIds()).containsExactly("bot-refunds", "finance-refunds");
  }

  @Test
  void userMayButAgentMayNotIsDenied() {
    List<Rule> rules = List.of(
        rule("other-agent-refunds", RuleEffect.PERMIT, agents("other", "refund"), null),
        rule("finance-refunds", RuleEffect.PERMIT, roles("finance", "refund"), null));

    Decision d = decide(rules, Invocations.call(BOT, FINANCE, "refund", "{\"amount\": 10}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reason()).isEqualTo("no rule permits agent 'bot' to call 'refund'");
  }

  @Test
  void anUnverifiedUserIsNoPrincipal() {
    UserRef claimed = new UserRef("alice", null, Set.of("finance"), Set.of(), false);
    List<Rule> rules = List.of(rule("finance-refunds", RuleEffect.PERMIT, roles("finance", "refund"), null));

    Decision d = decide(rules, Invocations.call(BOT, claimed, "refund", "{\"amount\": 10}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
  }

  @Test
  void logOnlyRulesAreRecordedWithAFlipFlagAndNeverEnforced() {
    List<Rule> rules = List.of(
        rule("bot-reads", RuleEffect.PERMIT, agents("bot", "crm_*"), null),
        rule("trial-forbid-lists", RuleEffect.FORBID, tools("crm_list"), null, RuleMode.LOG_ONLY),
        rule("trial-limit", RuleEffect.FORBID, tools("crm_*"), "args.limit > 100", RuleMode.LOG_ONLY),
        rule("trial-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null, RuleMode.LOG_ONLY));

    Decision list = decide(rules, call("crm_list", "{\"limit\": 5}"));
    Decision refund = decide(rules, call("refund", "{\"amount\": 5}"));

    assertThat(list.effect()).isEqualTo(Effect.ALLOW);
    assertThat(list.shadows()).containsExactly(new ShadowDecision("trial-forbid-lists", Effect.DENY, true));
    assertThat(refund.effect()).isEqualTo(Effect.DENY);
    assertThat(refund.shadows()).containsExactly(new ShadowDecision("trial-refunds", Effect.ALLOW, true));
  }

  @Test
  void targetsByTenantRiskAndConnectorAreResolvedAgainstTheCatalog() {
    Target writes = new Target(Set.of("acme"), List.of(), Set.of(), Set.of(), Set.of(), List.of(), Set.of("write"), Set.of());
    Target crm = new Target(Set.of(), List.of(NamePattern.compile("bot")), Set.of(), Set.of(), Set.of(), List.of(), Set.of(), Set.of("crm"));
    List<Rule> rules = List.of(rule("crm", RuleEffect.PERMIT, crm, null), rule("no-writes", RuleEffect.FORBID, writes, null),
        rule("bot-all", RuleEffect.PERMIT, agents("bot", "*"), null));

    assertThat(decide(rules, call("crm_get", "{}")).ruleIds()).containsExactly("crm", "bot-all");
    assertThat(decide(rules, call("refund", "{}")).ruleIds()).containsExactly("no-writes");
    AgentRef otherTenant = new AgentRef("bot", "globex", null);
    assertThat(decide(rules, Invocations.call(otherTenant, null, "refund", "{}")).effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void conditionsSeeUserContextAndTime() {
    Rule eu = new Rule("emea-in-hours", "", RuleEffect.PERMIT, agents("bot", "crm_get"),
        Optional.of(CEL.compile("'emea' in user.groups && timestamp(context.time).getHours() < 18", Set.of())),
        RuleMode.ENFORCE, "t:1");
    Rule users = rule("any-user", RuleEffect.PERMIT, roles("finance", "crm_get"), null);

    Decision d = decide(List.of(eu, users), Invocations.call(BOT, FINANCE, "crm_get", "{}"));

    assertThat(d.effect()).as(d.errors().toString()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void conditionsMayUseTheStandardMacros() {
    Rule rule = new Rule("macros", "", RuleEffect.PERMIT, agents("bot", "crm_get"),
        Optional.of(CEL.compile("has(args.limit) && [1, 2, 3].all(x, x < args.limit) && user.roles.exists(r, r == 'finance')",
            Set.of("limit"))), RuleMode.ENFORCE, "t:1");
    Rule users = rule("any-user", RuleEffect.PERMIT, roles("finance", "crm_get"), null);

    assertThat(decide(List.of(rule, users), Invocations.call(BOT, FINANCE, "crm_get", "{\"limit\": 5}")).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(decide(List.of(rule, users), Invocations.call(BOT, FINANCE, "crm_get", "{}")).effect())
        .isEqualTo(Effect.DENY);
  }

  @Test
  void comparesIntegersAndDecimalsAlike() {
    List<Rule> rules = List.of(rule("small", RuleEffect.PERMIT, agents("bot", "refund"), "args.amount <= 100"));

    assertThat(decide(rules, call("refund", "{\"amount\": 99.5}")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(decide(rules, call("refund", "{\"amount\": 100}")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(decide(rules, call("refund", "{\"amount\": 100.01}")).effect()).isEqualTo(Effect.DENY);
  }

  @Test
  void explainReportsHowEveryRuleFared() {
    List<Rule> rules = List.of(
        rule("reads", RuleEffect.PERMIT, agents("bot", "crm_*"), null),
        rule("others", RuleEffect.PERMIT, agents("other", "refund"), null),
        rule("small", RuleEffect.PERMIT, agents("bot", "refund"), "args.amount <= 100"),
        rule("broken", RuleEffect.FORBID, tools("refund"), "args.order.size() > 0"));
    List<RuleTrace> traces = new ArrayList<>();

    RuleEvaluator.explain(new CompiledPolicy(rules, "v1", TOOLS), call("refund", "{\"amount\": 500, \"order\": 7}"), traces::add);

    assertThat(traces).extracting(t -> t.rule().id() + "=" + t.status()).containsExactlyInAnyOrder(
        "reads=NOT_ABOUT_THIS_TOOL", "others=PRINCIPAL_DIFFERS", "small=CONDITION_FALSE", "broken=ERROR_COUNTED_AS_MATCHED");
  }

  @Test
  void listsOnlyToolsBothSidesMayCall() {
    SwappablePolicy p = new SwappablePolicy(new CompiledPolicy(List.of(
        rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), "args.amount < 10"),
        rule("finance-refunds", RuleEffect.PERMIT, roles("finance", "refund"), null),
        rule("bot-reads", RuleEffect.PERMIT, agents("bot", "crm_*"), null),
        rule("no-lists", RuleEffect.FORBID, tools("crm_list"), null)), "v1", TOOLS));

    assertThat(p.mayCall(BOT, null, "refund")).isTrue();
    assertThat(p.mayCall(BOT, FINANCE, "refund")).isTrue();
    assertThat(p.mayCall(BOT, INTERN, "refund")).isFalse();
    assertThat(p.mayCall(BOT, null, "crm_get")).isTrue();
    assertThat(p.mayCall(BOT, null, "crm_list")).isFalse();
    assertThat(p.mayCall(new AgentRef("other", "acme", null), null, "crm_get")).isFalse();
  }
}
