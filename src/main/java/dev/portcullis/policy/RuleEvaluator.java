package dev.portcullis.policy;

import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.ShadowDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Decides one call against a compiled policy. The semantics, written once:
 *
 * <pre>
 *   matching enforced rules                                   | effect
 *   ----------------------------------------------------------+------------------------------
 *   any forbid                                                | DENY (forbid ids) — wins over all
 *   no permit for the agent, or (verified user) none for them | DENY (default-deny)
 *   a permit on each side, and any require_approval           | REQUIRE_APPROVAL (approval ids)
 *   a permit on each side                                     | ALLOW (permit ids)
 *
 *   a rule whose condition cannot be evaluated               | counts as
 *   ----------------------------------------------------------+------------------------------
 *   forbid, require_approval (a guard)                        | matched: the guard holds
 *   permit                                                    | not matched: it never allows
 * </pre>
 *
 * An error never loosens a decision: the facts come from the agent, who can make a condition fail
 * at will (leave out an argument, send a string where a number was meant, overrun the iteration
 * budget), so a guard that cannot be evaluated guards, and a permit that cannot be evaluated does
 * not permit. Either way the error is recorded with the decision ({@code rule-id: message}).
 * require_approval never grants on its own: it only holds back a call that is otherwise permitted.
 * Log-only rules are evaluated like the rest, errors counted the same way; for each that matches,
 * the decision it would have produced had it been enforced is recorded, flagged when it differs.
 * They never change the enforced decision.
 *
 * <p>Concurrency: stateless; per-call state lives in locals.
 */
public final class RuleEvaluator {
  private RuleEvaluator() {}

  public static Decision decide(CompiledPolicy policy, Invocation inv) {
    return evaluate(policy, inv, null);
  }

  /** Decides and reports how every rule of the policy fared, in file order. */
  public static Decision explain(CompiledPolicy policy, Invocation inv, Consumer<RuleTrace> trace) {
    return evaluate(policy, inv, trace);
  }

  private static Decision evaluate(
      CompiledPolicy policy, Invocation inv, Consumer<RuleTrace> trace) {
    List<Rule> candidates = policy.rulesFor(inv.toolName());
    if (trace != null) {
      Set<Rule> about = Set.copyOf(candidates);
      policy.rules().stream()
          .filter(r -> !about.contains(r))
          .forEach(r -> trace.accept(new RuleTrace(r, RuleTrace.Status.NOT_ABOUT_THIS_TOOL, "")));
    }
    Tally enforced = new Tally();
    List<Rule> shadows = new ArrayList<>(0);
    List<String> errors = new ArrayList<>(0);
    Map<String, Object> facts = null;
    for (Rule rule : candidates) {
      if (!rule.target().matchesPrincipals(inv)) {
        report(trace, rule, RuleTrace.Status.PRINCIPAL_DIFFERS, "");
        continue;
      }
      if (rule.condition().isPresent()) {
        if (facts == null) {
          facts = PolicyFacts.of(inv, policy.argumentTypes(inv.toolName()));
        }
        try {
          if (!rule.condition().get().test(facts)) {
            report(trace, rule, RuleTrace.Status.CONDITION_FALSE, rule.condition().get().source());
            continue;
          }
          report(
              trace,
              rule,
              RuleTrace.Status.MATCHED,
              rule.mode() == RuleMode.LOG_ONLY ? "log-only" : "");
        } catch (Condition.ConditionException e) {
          errors.add(rule.id() + ": " + e.getMessage());
          boolean guard = rule.effect() != RuleEffect.PERMIT;
          report(
              trace,
              rule,
              guard ? RuleTrace.Status.ERROR_COUNTED_AS_MATCHED : RuleTrace.Status.ERROR,
              e.getMessage());
          if (!guard) {
            continue;
          }
        }
      } else {
        report(
            trace,
            rule,
            RuleTrace.Status.MATCHED,
            rule.mode() == RuleMode.LOG_ONLY ? "log-only" : "");
      }
      if (rule.mode() == RuleMode.LOG_ONLY) {
        shadows.add(rule);
      } else {
        enforced.add(rule);
      }
    }
    boolean userPresent = inv.user() != null && inv.user().verified();
    Verdict verdict = enforced.verdict(inv, userPresent);
    List<ShadowDecision> shadowDecisions = new ArrayList<>(shadows.size());
    for (Rule shadow : shadows) {
      Tally withShadow = enforced.copy();
      withShadow.add(shadow);
      Effect wouldBe = withShadow.verdict(inv, userPresent).effect();
      shadowDecisions.add(new ShadowDecision(shadow.id(), wouldBe, wouldBe != verdict.effect()));
    }
    return new Decision(
        verdict.effect(),
        verdict.ruleIds(),
        verdict.reason(),
        errors,
        shadowDecisions,
        policy.version());
  }

  private static void report(
      Consumer<RuleTrace> trace, Rule rule, RuleTrace.Status status, String detail) {
    if (trace != null) {
      trace.accept(new RuleTrace(rule, status, detail));
    }
  }

  private record Verdict(Effect effect, List<String> ruleIds, String reason) {}

  /** The enforced rules that matched one call, by what they say. */
  private static final class Tally {
    final List<Rule> forbids = new ArrayList<>(0);
    final List<Rule> approvals = new ArrayList<>(0);
    final List<Rule> agentPermits = new ArrayList<>(2);
    final List<Rule> userPermits = new ArrayList<>(0);

    void add(Rule rule) {
      switch (rule.effect()) {
        case FORBID -> forbids.add(rule);
        case REQUIRE_APPROVAL -> approvals.add(rule);
        case PERMIT -> {
          if (rule.target().speaksForAgent()) {
            agentPermits.add(rule);
          }
          if (rule.target().speaksForUser()) {
            userPermits.add(rule);
          }
        }
      }
    }

    Tally copy() {
      Tally t = new Tally();
      t.forbids.addAll(forbids);
      t.approvals.addAll(approvals);
      t.agentPermits.addAll(agentPermits);
      t.userPermits.addAll(userPermits);
      return t;
    }

    Verdict verdict(Invocation inv, boolean userPresent) {
      if (!forbids.isEmpty()) {
        return new Verdict(
            Effect.DENY, ids(forbids), "forbidden by " + forbids.getFirst().agentSafeReason());
      }
      if (agentPermits.isEmpty()) {
        return new Verdict(
            Effect.DENY,
            List.of(Decision.DEFAULT_DENY),
            "no rule permits agent '" + inv.agent().id() + "' to call '" + inv.toolName() + "'");
      }
      if (userPresent && userPermits.isEmpty()) {
        return new Verdict(
            Effect.DENY,
            List.of(Decision.DEFAULT_DENY),
            "no rule permits user '"
                + inv.user().id()
                + "' to call '"
                + inv.toolName()
                + "'; the agent acts for that user and can do no more than they may");
      }
      if (!approvals.isEmpty()) {
        return new Verdict(
            Effect.REQUIRE_APPROVAL,
            ids(approvals),
            "needs a human approval: " + approvals.getFirst().agentSafeReason());
      }
      List<String> ids = ids(agentPermits);
      if (userPresent) {
        addIds(userPermits, ids);
      }
      return new Verdict(
          Effect.ALLOW, ids, "permitted by " + agentPermits.getFirst().agentSafeReason());
    }

    /**
     * The rules' ids, in order, each once. A loop, not a stream or a set of rules: this is every
     * call.
     */
    private static List<String> ids(List<Rule> rules) {
      List<String> ids = new ArrayList<>(rules.size());
      addIds(rules, ids);
      return ids;
    }

    private static void addIds(List<Rule> rules, List<String> ids) {
      for (Rule rule : rules) {
        if (!ids.contains(rule.id())) {
          ids.add(rule.id());
        }
      }
    }
  }
}
