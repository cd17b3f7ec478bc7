package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.ShadowDecision;
import dev.portcullis.invocation.ToolRef;
import dev.portcullis.invocation.UserRef;
import dev.portcullis.testing.Invocations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The semantics table in RuleEvaluator's class comment, row by row, and the cases around it. */
class RuleEvaluatorTest {
  private static final CelConditions CEL = new CelConditions();
  private static final List<ToolFacts> TOOLS =
      List.of(
          new ToolFacts("refund", "write", "erp", Set.of("amount", "order")),
          new ToolFacts("crm_get", "read", "crm", Set.of("id", "limit")),
          new ToolFacts("crm_list", "read", "crm", Set.of("limit")));
  private static final AgentRef BOT = new AgentRef("bot", "acme", null);
  private static final UserRef FINANCE =
      new UserRef("alice", "acme", Set.of("finance"), Set.of("emea"), true);
  private static final UserRef INTERN =
      new UserRef("bob", "acme", Set.of("intern"), Set.of(), true);

  private static Rule rule(String id, RuleEffect effect, Target target, String when) {
    return rule(id, effect, target, when, RuleMode.ENFORCE);
  }

  private static Rule rule(
      String id, RuleEffect effect, Target target, String when, RuleMode mode) {
    return new Rule(
        id,
        "the " + id + " rule",
        effect,
        target,
        Optional.ofNullable(when)
            .map(w -> CEL.compile(w, Set.of("amount", "order", "id", "limit"))),
        mode,
        "test.yaml:1");
  }

  private static Target agents(String agent, String... tools) {
    return new Target(
        Set.of(),
        List.of(NamePattern.compile(agent)),
        Set.of(),
        Set.of(),
        Set.of(),
        Arrays.stream(tools).map(NamePattern::compile).toList(),
        Set.of(),
        Set.of());
  }

  private static Target roles(String role, String... tools) {
    return new Target(
        Set.of(),
        List.of(),
        Set.of(),
        Set.of(role),
        Set.of(),
        Arrays.stream(tools).map(NamePattern::compile).toList(),
        Set.of(),
        Set.of());
  }

  private static Target tools(String... tools) {
    return new Target(
        Set.of(),
        List.of(),
        Set.of(),
        Set.of(),
        Set.of(),
        Arrays.stream(tools).map(NamePattern::compile).toList(),
        Set.of(),
        Set.of());
  }

  private static Decision decide(List<Rule> rules, Invocation inv) {
    return RuleEvaluator.decide(new CompiledPolicy(rules, "v1", TOOLS), inv);
  }

  private static Invocation call(String tool, String args) {
    return Invocations.call(BOT, null, tool, args);
  }

  @Test
  void noMatchingRuleIsDefaultDeny() {
    Decision d =
        decide(
            List.of(rule("p", RuleEffect.PERMIT, agents("other", "crm_*"), null)),
            call("crm_get", "{}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly(Decision.DEFAULT_DENY);
    assertThat(d.reason()).isEqualTo("no rule permits agent 'bot' to call 'crm_get'");
    assertThat(d.policyVersion()).isEqualTo("v1");
  }

  @Test
  void permitAllowsWithTheIdsOfEveryPermitThatHeld() {
    Decision d =
        decide(
            List.of(
                rule("any-read", RuleEffect.PERMIT, agents("bot", "crm_*"), null),
                rule("small", RuleEffect.PERMIT, agents("bot", "crm_get"), "args.limit < 10"),
                rule("never", RuleEffect.PERMIT, agents("bot", "crm_get"), "args.limit > 100")),
            call("crm_get", "{\"limit\": 5}"));

    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.ruleIds()).containsExactly("any-read", "small");
    assertThat(d.reason()).isEqualTo("permitted by rule any-read: the any-read rule");
  }

  @Test
  void forbidWinsOverPermitAndApproval() {
    Decision d =
        decide(
            List.of(
                rule("permit", RuleEffect.PERMIT, agents("bot", "refund"), null),
                rule("approve", RuleEffect.REQUIRE_APPROVAL, tools("refund"), null),
                rule("never-big", RuleEffect.FORBID, tools("refund"), "args.amount > 1000")),
            call("refund", "{\"amount\": 5000}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly("never-big");
    assertThat(d.reason()).isEqualTo("forbidden by rule never-big: the never-big rule");
  }

  @Test
  void requireApprovalOverridesPermit() {
    Decision d =
        decide(
            List.of(
                rule("permit", RuleEffect.PERMIT, agents("bot", "refund"), null),
                rule(
                    "big-needs-approval",
                    RuleEffect.REQUIRE_APPROVAL,
                    tools("refund"),
                    "args.amount > 100")),
            call("refund", "{\"amount\": 150}"));

    assertThat(d.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
    assertThat(d.ruleIds()).containsExactly("big-needs-approval");
  }

  @Test
  void requireApprovalNeverGrantsOnItsOwn() {
    Decision d =
        decide(
            List.of(rule("approve", RuleEffect.REQUIRE_APPROVAL, tools("refund"), null)),
            call("refund", "{\"amount\": 150}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly(Decision.DEFAULT_DENY);
  }

  @Test
  void permitWhoseConditionErrorsIsNotCountedRecordedAndNeverAllows() {
    Decision d =
        decide(
            List.of(
                rule("small", RuleEffect.PERMIT, agents("bot", "refund"), "args.amount <= 100")),
            call("refund", "{\"order\": \"o-1\"}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.errors()).singleElement().asString().startsWith("small: ");
  }

  @Test
  void erroringForbidCountsAsMatchedAndDenies() {
    Decision d =
        decide(
            List.of(
                rule("permit", RuleEffect.PERMIT, agents("bot", "refund"), null),
                rule("forbid-big", RuleEffect.FORBID, tools("refund"), "args.amount > 1000")),
            call("refund", "{\"order\": \"o-1\"}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly("forbid-big");
    assertThat(d.reason()).isEqualTo("forbidden by rule forbid-big: the forbid-big rule");
    assertThat(d.errors()).singleElement().asString().startsWith("forbid-big: ");
  }

  @Test
  void erroringApprovalRuleCountsAsMatchedAndHoldsTheCall() {
    Decision d =
        decide(
            List.of(
                rule("permit", RuleEffect.PERMIT, agents("bot", "refund"), null),
                rule(
                    "big-needs-approval",
                    RuleEffect.REQUIRE_APPROVAL,
                    tools("refund"),
                    "args.amount > 100")),
            call("refund", "{\"order\": \"o-1\"}"));

    assertThat(d.effect()).isEqualTo(Effect.REQUIRE_APPROVAL);
    assertThat(d.ruleIds()).containsExactly("big-needs-approval");
    assertThat(d.errors()).singleElement().asString().startsWith("big-needs-approval: ");
  }

  @Test
  void agentMayButUserMayNotIsDenied() {
    List<Rule> rules =
        List.of(
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
    List<Rule> rules =
        List.of(
            rule("other-agent-refunds", RuleEffect.PERMIT, agents("other", "refund"), null),
            rule("finance-refunds", RuleEffect.PERMIT, roles("finance", "refund"), null));

    Decision d = decide(rules, Invocations.call(BOT, FINANCE, "refund", "{\"amount\": 10}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reason()).isEqualTo("no rule permits agent 'bot' to call 'refund'");
  }

  @Test
  void anUnverifiedUserIsNoPrincipal() {
    UserRef claimed = new UserRef("alice", null, Set.of("finance"), Set.of(), false);
    List<Rule> rules =
        List.of(rule("finance-refunds", RuleEffect.PERMIT, roles("finance", "refund"), null));

    Decision d = decide(rules, Invocations.call(BOT, claimed, "refund", "{\"amount\": 10}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
  }

  @Test
  void logOnlyRulesAreRecordedWithAFlipFlagAndNeverEnforced() {
    List<Rule> rules =
        List.of(
            rule("bot-reads", RuleEffect.PERMIT, agents("bot", "crm_*"), null),
            rule(
                "trial-forbid-lists",
                RuleEffect.FORBID,
                tools("crm_list"),
                null,
                RuleMode.LOG_ONLY),
            rule(
                "trial-limit",
                RuleEffect.FORBID,
                tools("crm_*"),
                "args.limit > 100",
                RuleMode.LOG_ONLY),
            rule(
                "trial-refunds",
                RuleEffect.PERMIT,
                agents("bot", "refund"),
                null,
                RuleMode.LOG_ONLY));

    Decision list = decide(rules, call("crm_list", "{\"limit\": 5}"));
    Decision refund = decide(rules, call("refund", "{\"amount\": 5}"));

    assertThat(list.effect()).isEqualTo(Effect.ALLOW);
    assertThat(list.shadows())
        .containsExactly(new ShadowDecision("trial-forbid-lists", Effect.DENY, true));
    assertThat(refund.effect()).isEqualTo(Effect.DENY);
    assertThat(refund.shadows())
        .containsExactly(new ShadowDecision("trial-refunds", Effect.ALLOW, true));
  }

  @Test
  void targetsByTenantRiskAndConnectorAreResolvedAgainstTheCatalog() {
    Target writes =
        new Target(
            Set.of("acme"),
            List.of(),
            Set.of(),
            Set.of(),
            Set.of(),
            List.of(),
            Set.of("write"),
            Set.of());
    Target crm =
        new Target(
            Set.of(),
            List.of(NamePattern.compile("bot")),
            Set.of(),
            Set.of(),
            Set.of(),
            List.of(),
            Set.of(),
            Set.of("crm"));
    List<Rule> rules =
        List.of(
            rule("crm", RuleEffect.PERMIT, crm, null),
            rule("no-writes", RuleEffect.FORBID, writes, null),
            rule("bot-all", RuleEffect.PERMIT, agents("bot", "*"), null));

    assertThat(decide(rules, call("crm_get", "{}")).ruleIds()).containsExactly("crm", "bot-all");
    assertThat(decide(rules, call("refund", "{}")).ruleIds()).containsExactly("no-writes");
    AgentRef otherTenant = new AgentRef("bot", "globex", null);
    assertThat(decide(rules, Invocations.call(otherTenant, null, "refund", "{}")).effect())
        .isEqualTo(Effect.ALLOW);
  }

  @Test
  void conditionsSeeUserContextAndTime() {
    Rule eu =
        new Rule(
            "emea-in-hours",
            "",
            RuleEffect.PERMIT,
            agents("bot", "crm_get"),
            Optional.of(
                CEL.compile(
                    "'emea' in user.groups && timestamp(context.time).getHours() < 18", Set.of())),
            RuleMode.ENFORCE,
            "t:1");
    Rule users = rule("any-user", RuleEffect.PERMIT, roles("finance", "crm_get"), null);

    Decision d = decide(List.of(eu, users), Invocations.call(BOT, FINANCE, "crm_get", "{}"));

    assertThat(d.effect()).as(d.errors().toString()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void conditionsMayUseTheStandardMacros() {
    Rule rule =
        new Rule(
            "macros",
            "",
            RuleEffect.PERMIT,
            agents("bot", "crm_get"),
            Optional.of(
                CEL.compile(
                    "has(args.limit) && [1, 2, 3].all(x, x < args.limit) && user.roles.exists(r, r == 'finance')",
                    Set.of("limit"))),
            RuleMode.ENFORCE,
            "t:1");
    Rule users = rule("any-user", RuleEffect.PERMIT, roles("finance", "crm_get"), null);

    assertThat(
            decide(
                    List.of(rule, users),
                    Invocations.call(BOT, FINANCE, "crm_get", "{\"limit\": 5}"))
                .effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(
            decide(List.of(rule, users), Invocations.call(BOT, FINANCE, "crm_get", "{}")).effect())
        .isEqualTo(Effect.DENY);
  }

  @Test
  void comparesIntegersAndDecimalsAlike() {
    List<Rule> rules =
        List.of(rule("small", RuleEffect.PERMIT, agents("bot", "refund"), "args.amount <= 100"));

    assertThat(decide(rules, call("refund", "{\"amount\": 99.5}")).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(decide(rules, call("refund", "{\"amount\": 100}")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(decide(rules, call("refund", "{\"amount\": 100.01}")).effect())
        .isEqualTo(Effect.DENY);
  }

  @Test
  void explainReportsHowEveryRuleFared() {
    List<Rule> rules =
        List.of(
            rule("reads", RuleEffect.PERMIT, agents("bot", "crm_*"), null),
            rule("others", RuleEffect.PERMIT, agents("other", "refund"), null),
            rule("small", RuleEffect.PERMIT, agents("bot", "refund"), "args.amount <= 100"),
            rule("broken", RuleEffect.FORBID, tools("refund"), "args.order.size() > 0"));
    List<RuleTrace> traces = new ArrayList<>();

    RuleEvaluator.explain(
        new CompiledPolicy(rules, "v1", TOOLS),
        call("refund", "{\"amount\": 500, \"order\": 7}"),
        traces::add);

    assertThat(traces)
        .extracting(t -> t.rule().id() + "=" + t.status())
        .containsExactlyInAnyOrder(
            "reads=NOT_ABOUT_THIS_TOOL",
            "others=PRINCIPAL_DIFFERS",
            "small=CONDITION_FALSE",
            "broken=ERROR_COUNTED_AS_MATCHED");
  }

  @Test
  void listsOnlyToolsBothSidesMayCall() {
    SwappablePolicy p =
        new SwappablePolicy(
            new CompiledPolicy(
                List.of(
                    rule(
                        "bot-refunds",
                        RuleEffect.PERMIT,
                        agents("bot", "refund"),
                        "args.amount < 10"),
                    rule("finance-refunds", RuleEffect.PERMIT, roles("finance", "refund"), null),
                    rule("bot-reads", RuleEffect.PERMIT, agents("bot", "crm_*"), null),
                    rule("no-lists", RuleEffect.FORBID, tools("crm_list"), null)),
                "v1",
                TOOLS));

    assertThat(p.mayCall(BOT, null, "refund")).isTrue();
    assertThat(p.mayCall(BOT, FINANCE, "refund")).isTrue();
    assertThat(p.mayCall(BOT, INTERN, "refund")).isFalse();
    assertThat(p.mayCall(BOT, null, "crm_get")).isTrue();
    assertThat(p.mayCall(BOT, null, "crm_list")).isFalse();
    assertThat(p.mayCall(new AgentRef("other", "acme", null), null, "crm_get")).isFalse();
  }

  private static Target principals(
      String agent, Set<String> ids, Set<String> roles, Set<String> groups, String tool) {
    return new Target(
        Set.of(),
        agent == null ? List.of() : List.of(NamePattern.compile(agent)),
        ids,
        roles,
        groups,
        List.of(NamePattern.compile(tool)),
        Set.of(),
        Set.of());
  }

  @Test
  void aPermitNamingNeitherAgentsNorUsersSpeaksForBothSides() {
    List<Rule> rules = List.of(rule("refunds", RuleEffect.PERMIT, tools("refund"), null));

    Decision forUser = decide(rules, Invocations.call(BOT, FINANCE, "refund", "{\"amount\": 10}"));
    Decision alone = decide(rules, call("refund", "{\"amount\": 10}"));

    assertThat(forUser.effect()).isEqualTo(Effect.ALLOW);
    assertThat(forUser.ruleIds()).containsExactly("refunds");
    assertThat(alone.effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void aPermitNamingBothAgentAndUserSpeaksForBothSides() {
    List<Rule> rules =
        List.of(
            rule(
                "bot-for-finance",
                RuleEffect.PERMIT,
                principals("bot", Set.of(), Set.of("finance"), Set.of(), "refund"),
                null));

    Decision finance = decide(rules, Invocations.call(BOT, FINANCE, "refund", "{\"amount\": 10}"));
    Decision intern = decide(rules, Invocations.call(BOT, INTERN, "refund", "{\"amount\": 10}"));
    Decision noUser = decide(rules, call("refund", "{\"amount\": 10}"));

    assertThat(finance.effect()).isEqualTo(Effect.ALLOW);
    assertThat(finance.ruleIds()).containsExactly("bot-for-finance");
    assertThat(finance.reason())
        .isEqualTo("permitted by rule bot-for-finance: the bot-for-finance rule");
    assertThat(intern.effect()).isEqualTo(Effect.DENY);
    assertThat(noUser.effect())
        .as("a rule that names users never matches a call without one")
        .isEqualTo(Effect.DENY);
  }

  @Test
  void aPermitNamingOnlyAgentsDoesNotSpeakForTheUser() {
    List<Rule> rules =
        List.of(rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null));

    Decision d = decide(rules, Invocations.call(BOT, FINANCE, "refund", "{\"amount\": 10}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly(Decision.DEFAULT_DENY);
    assertThat(d.reason())
        .isEqualTo(
            "no rule permits user 'alice' to call 'refund';"
                + " the agent acts for that user and can do no more than they may");
  }

  @Test
  void aPermitForUserIdsMatchesOnlyThoseUsers() {
    List<Rule> rules =
        List.of(
            rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null),
            rule(
                "alice-refunds",
                RuleEffect.PERMIT,
                principals(null, Set.of("alice"), Set.of(), Set.of(), "refund"),
                null));

    Decision alice = decide(rules, Invocations.call(BOT, FINANCE, "refund", "{\"amount\": 10}"));
    Decision bob = decide(rules, Invocations.call(BOT, INTERN, "refund", "{\"amount\": 10}"));

    assertThat(alice.effect()).isEqualTo(Effect.ALLOW);
    assertThat(alice.ruleIds()).containsExactly("bot-refunds", "alice-refunds");
    assertThat(bob.effect()).isEqualTo(Effect.DENY);
  }

  @Test
  void aPermitForGroupsMatchesOnlyMembers() {
    List<Rule> rules =
        List.of(
            rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null),
            rule(
                "emea-refunds",
                RuleEffect.PERMIT,
                principals(null, Set.of(), Set.of(), Set.of("emea"), "refund"),
                null));

    assertThat(decide(rules, Invocations.call(BOT, FINANCE, "refund", "{}")).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(decide(rules, Invocations.call(BOT, INTERN, "refund", "{}")).effect())
        .isEqualTo(Effect.DENY);
  }

  @Test
  void everyUserListATargetGivesMustMatch() {
    UserRef financeInApac = new UserRef("alice", "acme", Set.of("finance"), Set.of("apac"), true);
    List<Rule> rules =
        List.of(
            rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null),
            rule(
                "alice-finance-emea",
                RuleEffect.PERMIT,
                principals(null, Set.of("alice"), Set.of("finance"), Set.of("emea"), "refund"),
                null));

    assertThat(decide(rules, Invocations.call(BOT, FINANCE, "refund", "{}")).effect())
        .isEqualTo(Effect.ALLOW);
    assertThat(decide(rules, Invocations.call(BOT, financeInApac, "refund", "{}")).effect())
        .isEqualTo(Effect.DENY);
    UserRef bobInFinance = new UserRef("bob", "acme", Set.of("finance"), Set.of("emea"), true);
    assertThat(decide(rules, Invocations.call(BOT, bobInFinance, "refund", "{}")).effect())
        .isEqualTo(Effect.DENY);
    UserRef aliceIntern = new UserRef("alice", "acme", Set.of("intern"), Set.of("emea"), true);
    assertThat(decide(rules, Invocations.call(BOT, aliceIntern, "refund", "{}")).effect())
        .isEqualTo(Effect.DENY);
  }

  @Test
  void aClaimedUsersRolesNeverSatisfyARuleAboutRoles() {
    UserRef claimed = new UserRef("alice", "acme", Set.of("finance"), Set.of("emea"), false);
    List<Rule> rules =
        List.of(
            rule(
                "bot-for-finance",
                RuleEffect.PERMIT,
                principals("bot", Set.of(), Set.of("finance"), Set.of(), "refund"),
                null));
    List<Rule> byId =
        List.of(
            rule(
                "bot-for-alice",
                RuleEffect.PERMIT,
                principals("bot", Set.of("alice"), Set.of(), Set.of(), "refund"),
                null));

    assertThat(decide(rules, Invocations.call(BOT, claimed, "refund", "{}")).effect())
        .isEqualTo(Effect.DENY);
    assertThat(decide(byId, Invocations.call(BOT, claimed, "refund", "{}")).effect())
        .isEqualTo(Effect.DENY);
  }

  @Test
  void aClaimedUserNeedsNoUserSidePermitAndIsNotNamedInTheDecision() {
    UserRef claimed = new UserRef("alice", "acme", Set.of("finance"), Set.of(), false);
    List<Rule> rules =
        List.of(
            rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null),
            rule("finance-refunds", RuleEffect.PERMIT, roles("finance", "refund"), null));

    Decision d = decide(rules, Invocations.call(BOT, claimed, "refund", "{}"));

    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.ruleIds()).containsExactly("bot-refunds");
  }

  @Test
  void conditionsSeeNothingOfAClaimedUser() {
    UserRef claimed = new UserRef("alice", "acme", Set.of("finance"), Set.of("emea"), false);
    for (String when :
        List.of(
            "'finance' in user.roles",
            "'emea' in user.groups",
            "user.id == 'alice'",
            "user.tenant == 'acme'")) {
      List<Rule> rules =
          List.of(rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), when));

      assertThat(decide(rules, Invocations.call(BOT, claimed, "refund", "{}")).effect())
          .as(when)
          .isEqualTo(Effect.DENY);
    }
    List<Rule> nulls =
        List.of(
            rule(
                "bot-refunds",
                RuleEffect.PERMIT,
                agents("bot", "refund"),
                "user.id == null && user.tenant == null && size(user.roles) == 0 && size(user.groups) == 0"));
    assertThat(decide(nulls, Invocations.call(BOT, claimed, "refund", "{}")).effect())
        .isEqualTo(Effect.ALLOW);
  }

  @Test
  void conditionsSeeAVerifiedUsersIdTenantRolesAndGroups() {
    Rule bot =
        rule(
            "bot-refunds",
            RuleEffect.PERMIT,
            agents("bot", "refund"),
            "user.id == 'alice' && user.tenant == 'acme' && 'finance' in user.roles && 'emea' in user.groups");
    Rule users = rule("any-user", RuleEffect.PERMIT, roles("finance", "refund"), null);

    Decision d = decide(List.of(bot, users), Invocations.call(BOT, FINANCE, "refund", "{}"));

    assertThat(d.effect()).as(d.errors().toString()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void listingIgnoresLogOnlyRulesAndConditionalForbids() {
    SwappablePolicy p =
        new SwappablePolicy(
            new CompiledPolicy(
                List.of(
                    rule("bot-reads", RuleEffect.PERMIT, agents("bot", "crm_*"), null),
                    rule(
                        "trial-no-lists",
                        RuleEffect.FORBID,
                        tools("crm_list"),
                        null,
                        RuleMode.LOG_ONLY),
                    rule("no-big-gets", RuleEffect.FORBID, tools("crm_get"), "args.limit > 100"),
                    rule(
                        "trial-refunds",
                        RuleEffect.PERMIT,
                        agents("bot", "refund"),
                        null,
                        RuleMode.LOG_ONLY)),
                "v1",
                TOOLS));

    assertThat(p.mayCall(BOT, null, "crm_list")).as("a log-only forbid hides nothing").isTrue();
    assertThat(p.mayCall(BOT, null, "crm_get"))
        .as("a forbid with a condition may not hold")
        .isTrue();
    assertThat(p.mayCall(BOT, null, "refund")).as("a log-only permit grants nothing").isFalse();
  }

  @Test
  void listingForAClaimedUserNeedsOnlyTheAgentSideAndAUserPermitNeverSpeaksForTheAgent() {
    UserRef claimed = new UserRef("alice", "acme", Set.of("finance"), Set.of(), false);
    SwappablePolicy agentOnly =
        new SwappablePolicy(
            new CompiledPolicy(
                List.of(rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null)),
                "v1",
                TOOLS));
    SwappablePolicy userOnly =
        new SwappablePolicy(
            new CompiledPolicy(
                List.of(
                    rule("finance-refunds", RuleEffect.PERMIT, roles("finance", "refund"), null)),
                "v1",
                TOOLS));
    SwappablePolicy neither =
        new SwappablePolicy(
            new CompiledPolicy(
                List.of(rule("refunds", RuleEffect.PERMIT, tools("refund"), null)), "v1", TOOLS));

    assertThat(agentOnly.mayCall(BOT, claimed, "refund")).isTrue();
    assertThat(agentOnly.mayCall(BOT, FINANCE, "refund")).isFalse();
    assertThat(userOnly.mayCall(BOT, FINANCE, "refund")).isFalse();
    assertThat(neither.mayCall(BOT, FINANCE, "refund")).isTrue();
    assertThat(neither.mayCall(BOT, null, "refund")).isTrue();
  }

  @Test
  void aSwapPutsTheNewPolicyInForceForTheNextCall() {
    SwappablePolicy p =
        new SwappablePolicy(
            new CompiledPolicy(
                List.of(rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null)),
                "v1",
                TOOLS));
    CompiledPolicy next = new CompiledPolicy(List.of(), "v2", TOOLS);

    assertThat(p.decide(call("refund", "{}")).effect()).isEqualTo(Effect.ALLOW);
    p.swap(next);

    assertThat(p.current()).isSameAs(next);
    assertThat(p.version()).isEqualTo("v2");
    assertThat(p.decide(call("refund", "{}")).effect()).isEqualTo(Effect.DENY);
    assertThat(p.decide(call("refund", "{}")).policyVersion()).isEqualTo("v2");
  }

  @Test
  void conditionsSeeTheAgentTheResolvedToolTheGatewaysContextAndTheSession() {
    Invocation inv =
        Invocations.call(
                BOT,
                "refund",
                Invocations.JSON.readTree("{}"),
                Map.of("role", "lead", "region", "eu", "channel", "forged-by-agent"))
            .withTool(new ToolRef("refund", "3", "sha256:d", "write", "erp"));
    Rule facts =
        new Rule(
            "facts",
            "",
            RuleEffect.PERMIT,
            agents("bot", "refund"),
            Optional.of(
                CEL.compile(
                    "agent.id == 'bot' && agent.tenant == 'acme'"
                        + " && tool.name == 'refund' && tool.risk == 'write' && tool.version == '3' && tool.connector == 'erp'"
                        + " && context.role == 'lead' && context.region == 'eu' && context.declaredChannel == null"
                        + " && context.channel == 'test' && context.time == '2026-11-23T10:00:00Z' && session.id == 'sess-1'",
                    Set.of())),
            RuleMode.ENFORCE,
            "t:1");

    Decision d = decide(List.of(facts), inv);

    assertThat(d.effect()).as(d.errors().toString()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void beforeTheToolIsResolvedItsFactsAreNullButItsName() {
    Rule facts =
        rule(
            "facts",
            RuleEffect.PERMIT,
            agents("bot", "refund"),
            "tool.name == 'refund' && tool.risk == null && tool.version == null && tool.connector == null");

    Decision d = decide(List.of(facts), call("refund", "{}"));

    assertThat(d.effect()).as(d.errors().toString()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void aLogOnlyRuleThatWouldChangeNothingIsRecordedUnflagged() {
    List<Rule> rules =
        List.of(
            rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null),
            rule("trial-refunds", RuleEffect.PERMIT, tools("refund"), null, RuleMode.LOG_ONLY));

    Decision d = decide(rules, call("refund", "{}"));

    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.ruleIds()).containsExactly("bot-refunds");
    assertThat(d.shadows())
        .containsExactly(new ShadowDecision("trial-refunds", Effect.ALLOW, false));
  }

  @Test
  void aRuleWithoutADescriptionIsNamedByItsIdAlone() {
    Rule bare =
        new Rule(
            "bare",
            " ",
            RuleEffect.FORBID,
            tools("refund"),
            Optional.empty(),
            RuleMode.ENFORCE,
            "t:1");

    assertThat(decide(List.of(bare), call("refund", "{}")).reason())
        .isEqualTo("forbidden by rule bare");
  }

  @Test
  void aConnectorTargetCoversOnlyThatConnectorsTools() {
    Target crm =
        new Target(
            Set.of(),
            List.of(NamePattern.compile("bot")),
            Set.of(),
            Set.of(),
            Set.of(),
            List.of(),
            Set.of(),
            Set.of("crm"));
    Target reads =
        new Target(
            Set.of(),
            List.of(NamePattern.compile("bot")),
            Set.of(),
            Set.of(),
            Set.of(),
            List.of(),
            Set.of("read"),
            Set.of());
    List<Rule> rules =
        List.of(
            rule("crm", RuleEffect.PERMIT, crm, null),
            rule("reads", RuleEffect.PERMIT, reads, null));

    assertThat(decide(rules, call("crm_get", "{}")).ruleIds()).containsExactly("crm", "reads");
    assertThat(decide(rules, call("refund", "{}")).effect()).isEqualTo(Effect.DENY);
  }

  @Test
  void explainDecidesAsDecideDoesAndTellsWhatEachRuleSaid() {
    List<Rule> rules =
        List.of(
            rule("reads", RuleEffect.PERMIT, agents("bot", "crm_*"), "args.limit < 10"),
            rule("trial", RuleEffect.FORBID, tools("crm_get"), null, RuleMode.LOG_ONLY),
            rule(
                "trial-big",
                RuleEffect.FORBID,
                tools("crm_get"),
                "args.limit > 5",
                RuleMode.LOG_ONLY),
            rule(
                "broken-permit",
                RuleEffect.PERMIT,
                agents("bot", "crm_get"),
                "args.id.size() > 0"));
    List<RuleTrace> traces = new ArrayList<>();
    Invocation inv = call("crm_get", "{\"limit\": 7, \"id\": 3}");

    Decision explained =
        RuleEvaluator.explain(new CompiledPolicy(rules, "v1", TOOLS), inv, traces::add);

    assertThat(explained).isEqualTo(decide(rules, inv));
    assertThat(traces)
        .extracting(t -> t.rule().id() + "=" + t.status() + ":" + t.detail())
        .containsExactly(
            "reads=MATCHED:",
            "trial=MATCHED:log-only",
            "trial-big=MATCHED:log-only",
            "broken-permit=ERROR:"
                + explained.errors().getFirst().substring("broken-permit: ".length()));
  }

  @Test
  void explainNamesTheConditionThatWasFalse() {
    List<RuleTrace> traces = new ArrayList<>();

    RuleEvaluator.explain(
        new CompiledPolicy(
            List.of(rule("small", RuleEffect.PERMIT, agents("bot", "refund"), "args.amount < 10")),
            "v1",
            TOOLS),
        call("refund", "{\"amount\": 50}"),
        traces::add);

    assertThat(traces)
        .extracting(t -> t.status() + ":" + t.detail())
        .containsExactly("CONDITION_FALSE:args.amount < 10");
  }

  @Test
  void explainFlagsOnlyLogOnlyRulesAsLogOnly() {
    List<RuleTrace> traces = new ArrayList<>();

    RuleEvaluator.explain(
        new CompiledPolicy(
            List.of(
                rule("bot-refunds", RuleEffect.PERMIT, agents("bot", "refund"), null),
                rule("trial", RuleEffect.FORBID, tools("refund"), null, RuleMode.LOG_ONLY)),
            "v1",
            TOOLS),
        call("refund", "{}"),
        traces::add);

    assertThat(traces)
        .extracting(t -> t.rule().id() + ":" + t.detail())
        .containsExactly("bot-refunds:", "trial:log-only");
  }

  @Test
  void listingCountsNoApprovalRuleAsAPermit() {
    SwappablePolicy p =
        new SwappablePolicy(
            new CompiledPolicy(
                List.of(
                    rule(
                        "approve-refunds",
                        RuleEffect.REQUIRE_APPROVAL,
                        agents("bot", "refund"),
                        null)),
                "v1",
                TOOLS));

    assertThat(p.mayCall(BOT, null, "refund")).isFalse();
  }
}
