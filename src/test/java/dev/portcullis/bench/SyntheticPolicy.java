package dev.portcullis.bench;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.ToolRef;
import dev.portcullis.invocation.UserRef;
import dev.portcullis.policy.CelConditions;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.NamePattern;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.RuleEffect;
import dev.portcullis.policy.RuleEvaluator;
import dev.portcullis.policy.RuleMode;
import dev.portcullis.policy.RuleTrace;
import dev.portcullis.policy.Target;
import dev.portcullis.policy.ToolFacts;
import dev.portcullis.testing.Invocations;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * A deterministic, realistic policy set for the decision benchmark: a catalog of 200 tools (10
 * systems × 10 verbs × 2 nouns; read tools take {@code id, limit, region}, write and workflow tools
 * {@code id, amount, region, priority}), 50 agents in five teams, and {@code n} rules: five fixed
 * rules about the benchmarked tool (the shape of the demo's billing policy: a team permit on {@code
 * orders_*}, an approval over 100, a forbid over 1000, a permit for the finance role, a log-only
 * approval over 25), then rules drawn from a fixed seed.
 *
 * <p>The drawn mix: 72 % permits (64 % of them name one agent, 21 % a team glob such as {@code
 * billing-*}, 15 % a user role; 30 % have a CEL condition), 14 % forbids and 14 % require_approval
 * (90 % with a condition, always when they cover more than a list of tools; 20 % limited to a
 * team); 6 % of all rules log-only. Tools are named literally (55 %: one to three names), by system
 * glob {@code crm_*} (30 %), by verb glob {@code *_get_*} (8 %) or by risk class (7 %). A condition
 * only reads arguments that every tool its rule covers has, so no rule errors on the benchmarked
 * calls, and leans the way real ones do (permits bound, forbids and approvals catch the large, the
 * urgent and the unusual); an unconditional forbid or approval names its tools one by one and never
 * the benchmarked tool. So the benchmarked call is allowed at every size, the typical outcome.
 *
 * <p>Lists only (never {@code Set.of} iteration, which changes between JVMs), so every JVM builds
 * the same rules in the same order.
 */
final class SyntheticPolicy {
  static final long SEED = 20_261_123L;
  static final String TOOL = "orders_create_refund";
  static final String ARGUMENTS =
      "{\"id\":\"O-1001\",\"amount\":42,\"region\":\"eu\",\"priority\":\"normal\"}";
  static final AgentRef AGENT = new AgentRef("billing-03", "acme", "1.4.0");

  /** In the catalog of agents, but no generated rule names it or a glob over it. */
  static final AgentRef UNPERMITTED_AGENT = new AgentRef("sandbox-bot", "acme", "0.1.0");

  static final UserRef USER =
      new UserRef("alice", "acme", Set.of("finance", "support"), Set.of("emea"), true);

  private static final List<String> SYSTEMS =
      List.of("crm", "orders", "tickets", "billing", "hr", "docs", "chat", "mail", "cloud", "db");
  private static final List<List<String>> NOUNS =
      List.of(
          List.of("customer", "contact"),
          List.of("order", "refund"),
          List.of("ticket", "comment"),
          List.of("invoice", "payment"),
          List.of("employee", "leave"),
          List.of("document", "folder"),
          List.of("message", "channel"),
          List.of("email", "draft"),
          List.of("instance", "bucket"),
          List.of("table", "report"));
  private static final List<String> VERBS =
      List.of(
          "get", "list", "search", "export", "create", "update", "send", "delete", "close",
          "approve");
  private static final List<String> TEAMS = List.of("support", "billing", "sales", "ops", "hr");
  private static final List<String> ROLES =
      List.of("support", "finance", "sales", "ops", "hr", "admin");
  private static final List<String> RISKS = List.of("read", "write", "workflow");
  private static final List<Integer> THRESHOLDS = List.of(50, 100, 250, 500, 1000, 5000);

  static final List<ToolFacts> CATALOG = catalog();

  /**
   * 49 team agents ({@code support-01} … {@code hr-10}, less one) and {@link #UNPERMITTED_AGENT}.
   */
  static final List<String> AGENTS = agents();

  private static final CelConditions CEL = new CelConditions();

  private SyntheticPolicy() {}

  private static List<ToolFacts> catalog() {
    List<ToolFacts> tools = new ArrayList<>();
    for (int s = 0; s < SYSTEMS.size(); s++) {
      for (String verb : VERBS) {
        for (String noun : NOUNS.get(s)) {
          String risk =
              switch (verb) {
                case "get", "list", "search", "export" -> "read";
                case "close", "approve" -> "workflow";
                default -> "write";
              };
          Set<String> args =
              risk.equals("read")
                  ? Set.of("id", "limit", "region")
                  : Set.of("id", "amount", "region", "priority");
          tools.add(
              new ToolFacts(SYSTEMS.get(s) + "_" + verb + "_" + noun, risk, SYSTEMS.get(s), args));
        }
      }
    }
    return List.copyOf(tools);
  }

  private static List<String> agents() {
    List<String> agents = new ArrayList<>();
    for (String team : TEAMS) {
      for (int i = 1; i <= 10; i++) {
        agents.add(String.format(Locale.ROOT, "%s-%02d", team, i));
      }
    }
    agents.removeLast();
    agents.add(UNPERMITTED_AGENT.id());
    return List.copyOf(agents);
  }

  /** The first {@code n} rules of the set (n ≥ 5), compiled against the catalog. */
  static CompiledPolicy policy(int n) {
    return new CompiledPolicy(rules(n), "bench-" + n, CATALOG);
  }

  static List<Rule> rules(int n) {
    List<Rule> rules = new ArrayList<>(fixedRules());
    if (n < rules.size()) {
      throw new IllegalArgumentException("at least " + rules.size() + " rules");
    }
    Random random = new Random(SEED);
    while (rules.size() < n) {
      rules.add(randomRule(random, rules.size()));
    }
    return List.copyOf(rules);
  }

  /** The typical call: a billing agent refunds 42 (allowed; several rules cover the tool). */
  static Invocation typicalCall() {
    return call(AGENT, null);
  }

  /** The same call by an agent no rule permits: default deny. */
  static Invocation unpermittedCall() {
    return call(UNPERMITTED_AGENT, null);
  }

  /** The typical call on behalf of a verified user: agent ∩ user. */
  static Invocation callForUser() {
    return call(AGENT, USER);
  }

  private static Invocation call(AgentRef agent, UserRef user) {
    ToolFacts facts = CATALOG.stream().filter(t -> t.name().equals(TOOL)).findFirst().orElseThrow();
    return Invocations.call(agent, user, TOOL, ARGUMENTS)
        .withTool(new ToolRef(TOOL, "1", "sha256:bench", facts.risk(), facts.connector()));
  }

  /** How the rules of {@code policy} fare on {@code inv}: what the decision's cost is made of. */
  static Work work(CompiledPolicy policy, Invocation inv) {
    int[] counts = new int[4];
    RuleEvaluator.explain(
        policy,
        inv,
        t -> {
          if (t.status() == RuleTrace.Status.NOT_ABOUT_THIS_TOOL) {
            return;
          }
          counts[0]++;
          if (t.status() == RuleTrace.Status.PRINCIPAL_DIFFERS) {
            return;
          }
          counts[1]++;
          if (t.rule().condition().isPresent()) {
            counts[2]++;
          }
          if (t.status() == RuleTrace.Status.MATCHED) {
            counts[3]++;
          }
        });
    return new Work(
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        RuleEvaluator.decide(policy, inv).effect().name());
  }

  /**
   * @param candidates rules the tool index leaves for the call
   * @param principalsMatch of those, rules whose tenant, agent and user target match the caller
   * @param conditionsEvaluated CEL conditions evaluated (the rules above that have one)
   * @param matched rules that matched
   */
  record Work(
      int candidates, int principalsMatch, int conditionsEvaluated, int matched, String effect) {}

  private static List<Rule> fixedRules() {
    return List.of(
        rule(
            "billing-orders",
            RuleEffect.PERMIT,
            RuleMode.ENFORCE,
            target(List.of("billing-*"), List.of(), List.of("orders_*"), List.of()),
            null),
        rule(
            "refunds-over-100-need-approval",
            RuleEffect.REQUIRE_APPROVAL,
            RuleMode.ENFORCE,
            target(List.of(), List.of(), List.of(TOOL), List.of()),
            "args.amount > 100"),
        rule(
            "no-refunds-over-1000",
            RuleEffect.FORBID,
            RuleMode.ENFORCE,
            target(List.of(), List.of(), List.of(TOOL), List.of()),
            "args.amount > 1000"),
        rule(
            "finance-may-refund",
            RuleEffect.PERMIT,
            RuleMode.ENFORCE,
            target(List.of(), List.of("finance"), List.of("orders_*_refund"), List.of()),
            null),
        rule(
            "refunds-over-25-trial",
            RuleEffect.REQUIRE_APPROVAL,
            RuleMode.LOG_ONLY,
            target(List.of(), List.of(), List.of(TOOL), List.of()),
            "args.amount > 25"));
  }

  private static Rule randomRule(Random random, int index) {
    double e = random.nextDouble();
    RuleEffect effect =
        e < 0.72 ? RuleEffect.PERMIT : e < 0.86 ? RuleEffect.FORBID : RuleEffect.REQUIRE_APPROVAL;
    RuleMode mode = random.nextDouble() < 0.06 ? RuleMode.LOG_ONLY : RuleMode.ENFORCE;
    List<String> agents = List.of();
    List<String> roles = List.of();
    double p = random.nextDouble();
    if (effect == RuleEffect.PERMIT) {
      if (p < 0.85 * 0.75) {
        agents = List.of(pick(random, AGENTS.subList(0, AGENTS.size() - 1)));
      } else if (p < 0.85) {
        agents = List.of(pick(random, TEAMS) + "-*");
      } else {
        roles = List.of(pick(random, ROLES));
      }
    } else if (p < 0.2) {
      agents = List.of(pick(random, TEAMS) + "-*");
    }
    List<String> tools = new ArrayList<>();
    List<String> risks = List.of();
    double t = random.nextDouble();
    if (t < 0.55) {
      int count = 1 + random.nextInt(3);
      for (int i = 0; i < count; i++) {
        tools.add(pick(random, CATALOG).name());
      }
    } else if (t < 0.85) {
      tools.add(pick(random, SYSTEMS) + "_*");
    } else if (t < 0.93) {
      tools.add("*_" + pick(random, VERBS) + "_*");
    } else {
      risks = List.of(pick(random, RISKS));
    }
    Target target = target(agents, roles, tools, risks);
    double conditional = effect == RuleEffect.PERMIT ? 0.30 : 0.90;
    boolean unconditional = random.nextDouble() >= conditional;
    // An unconditional forbid or approval names its tools one by one ("never delete employees"),
    // and not the benchmarked tool, whose calls would otherwise never be the typical allowed one.
    if (unconditional
        && effect != RuleEffect.PERMIT
        && (tools.isEmpty() || tools.getFirst().contains("*"))) {
      unconditional = false;
    }
    if (unconditional && effect != RuleEffect.PERMIT) {
      tools.remove(TOOL);
      if (tools.isEmpty()) {
        tools.add(pick(random, CATALOG).name().replace(TOOL, "orders_get_refund"));
      }
      target = target(agents, roles, tools, risks);
    }
    String when = unconditional ? null : condition(random, effect, sharedArguments(target));
    String id =
        String.format(
            Locale.ROOT,
            "r%04d-%s",
            index,
            effect.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    return rule(id, effect, mode, target, when);
  }

  /** The arguments every tool the target covers has, in a fixed order. */
  private static List<String> sharedArguments(Target target) {
    List<String> shared = new ArrayList<>(List.of("id", "amount", "limit", "region", "priority"));
    for (ToolFacts tool : CATALOG) {
      if (target.matchesTool(tool.name(), tool.risk(), tool.connector())) {
        shared.retainAll(tool.argumentNames());
      }
    }
    return shared;
  }

  /**
   * A condition in the spirit of its effect: permits bound what is allowed, forbids and approvals
   * catch the large, the urgent and the unusual. The benchmarked arguments (amount 42, region eu,
   * priority normal) make permits' conditions mostly true and the others false, as most calls are.
   */
  private static String condition(Random random, RuleEffect effect, List<String> arguments) {
    List<String> choices = new ArrayList<>();
    for (String argument : arguments) {
      int threshold = pick(random, THRESHOLDS);
      switch (argument) {
        case "amount" ->
            choices.add(
                effect == RuleEffect.PERMIT
                    ? "args.amount <= " + threshold
                    : "args.amount > " + threshold);
        case "limit" ->
            choices.add(
                effect == RuleEffect.PERMIT
                    ? "args.limit <= " + threshold
                    : "args.limit > " + threshold);
        case "region" ->
            choices.add(
                switch (effect) {
                  case PERMIT -> "args.region in ['eu', 'us']";
                  case FORBID -> "args.region == 'cn'";
                  case REQUIRE_APPROVAL -> "args.region != 'eu'";
                });
        case "priority" ->
            choices.add(
                effect == RuleEffect.PERMIT
                    ? "args.priority != 'urgent'"
                    : "args.priority == 'urgent'");
        case "id" ->
            choices.add(
                effect == RuleEffect.PERMIT
                    ? "args.id.startsWith('O-')"
                    : "args.id.startsWith('X-')");
        default -> throw new IllegalStateException(argument);
      }
    }
    choices.add(
        effect == RuleEffect.PERMIT ? "context.channel != 'mcp'" : "context.channel == 'mcp'");
    choices.add(effect == RuleEffect.PERMIT ? "tool.connector != 'db'" : "tool.connector == 'db'");
    return pick(random, choices);
  }

  private static <T> T pick(Random random, List<T> from) {
    return from.get(random.nextInt(from.size()));
  }

  private static Target target(
      List<String> agents, List<String> roles, List<String> tools, List<String> risks) {
    return new Target(
        Set.of(),
        agents.stream().map(NamePattern::compile).toList(),
        Set.of(),
        Set.copyOf(roles),
        Set.of(),
        tools.stream().distinct().map(NamePattern::compile).toList(),
        Set.copyOf(risks),
        Set.of());
  }

  private static Rule rule(
      String id, RuleEffect effect, RuleMode mode, Target target, String when) {
    Set<String> arguments = new LinkedHashSet<>();
    CATALOG.stream()
        .filter(t -> target.matchesTool(t.name(), t.risk(), t.connector()))
        .forEach(t -> arguments.addAll(t.argumentNames()));
    return new Rule(
        id,
        "the " + id + " rule",
        effect,
        target,
        Optional.ofNullable(when).map(w -> CEL.compile(w, arguments)),
        mode,
        "bench.yaml:" + id);
  }
}
