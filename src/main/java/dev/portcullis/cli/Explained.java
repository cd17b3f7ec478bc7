package dev.portcullis.cli;

import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.policy.CompiledPolicy;
import dev.portcullis.policy.NamePattern;
import dev.portcullis.policy.Rule;
import dev.portcullis.policy.RuleEvaluator;
import dev.portcullis.policy.RuleMode;
import dev.portcullis.policy.RuleTrace;
import dev.portcullis.policy.Target;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** One decision and how every rule of the policy set fared on it, in the policy's file order. */
record Explained(Decision decision, List<RuleTrace> traces) {
  /**
   * The order in which explanations list the groups: what decided first, what did not apply last.
   */
  static final List<RuleTrace.Status> GROUPS =
      List.of(
          RuleTrace.Status.MATCHED,
          RuleTrace.Status.ERROR_COUNTED_AS_MATCHED,
          RuleTrace.Status.ERROR,
          RuleTrace.Status.CONDITION_FALSE,
          RuleTrace.Status.PRINCIPAL_DIFFERS,
          RuleTrace.Status.NOT_ABOUT_THIS_TOOL);

  Explained {
    traces = List.copyOf(traces);
  }

  static Explained of(CompiledPolicy policy, Invocation invocation) {
    List<RuleTrace> collected = new ArrayList<>();
    Decision decision = RuleEvaluator.explain(policy, invocation, collected::add);
    IdentityHashMap<Rule, RuleTrace> byRule = new IdentityHashMap<>();
    collected.forEach(t -> byRule.put(t.rule(), t));
    return new Explained(
        decision, policy.rules().stream().map(byRule::get).filter(Objects::nonNull).toList());
  }

  List<RuleTrace> with(RuleTrace.Status status) {
    return traces.stream().filter(t -> t.status() == status).toList();
  }

  /** How a group is headed: {@code condition false}. */
  static String heading(RuleTrace.Status status) {
    return switch (status) {
      case MATCHED -> "matched";
      case ERROR_COUNTED_AS_MATCHED -> "errored, counted as matched";
      case ERROR -> "errored, not counted";
      case CONDITION_FALSE -> "condition false";
      case PRINCIPAL_DIFFERS -> "principal differs";
      case NOT_ABOUT_THIS_TOOL -> "not about this tool";
    };
  }

  /** The status as JSON shows it: {@code condition_false}. */
  static String wireName(RuleTrace.Status status) {
    return status.name().toLowerCase(Locale.ROOT);
  }

  /** The effect as policy files write it: {@code require_approval}. */
  static String effect(Rule rule) {
    return rule.effect().name().toLowerCase(Locale.ROOT)
        + (rule.mode() == RuleMode.LOG_ONLY ? ", log-only" : "");
  }

  /** {@code support-read-crm (permit, support.yaml:4)}. */
  static String label(Rule rule) {
    return rule.id() + " (" + effect(rule) + ", " + rule.source() + ")";
  }

  /** Why a trace has the status it has, in a few words. */
  static String why(RuleTrace trace) {
    Target t = trace.rule().target();
    return switch (trace.status()) {
      case MATCHED -> trace.rule().condition().map(c -> "when " + c.source()).orElse("");
      case ERROR, ERROR_COUNTED_AS_MATCHED ->
          trace.rule().condition().map(c -> "when " + c.source() + ": ").orElse("")
              + trace.detail();
      case CONDITION_FALSE -> "when " + trace.detail();
      case PRINCIPAL_DIFFERS -> principals(t);
      case NOT_ABOUT_THIS_TOOL -> tools(t);
    };
  }

  private static String principals(Target t) {
    List<String> parts = new ArrayList<>();
    if (!t.tenants().isEmpty()) {
      parts.add("tenants " + t.tenants().stream().sorted().toList());
    }
    if (t.namesAgents()) {
      parts.add("agents " + t.agents().stream().map(NamePattern::source).toList());
    }
    if (!t.userIds().isEmpty()) {
      parts.add("users " + t.userIds().stream().sorted().toList());
    }
    if (!t.userRoles().isEmpty()) {
      parts.add("roles " + t.userRoles().stream().sorted().toList());
    }
    if (!t.userGroups().isEmpty()) {
      parts.add("groups " + t.userGroups().stream().sorted().toList());
    }
    return "target " + String.join(", ", parts);
  }

  private static String tools(Target t) {
    List<String> parts = new ArrayList<>();
    if (!t.tools().isEmpty()) {
      parts.add("tools " + t.tools().stream().map(NamePattern::source).toList());
    }
    if (!t.risks().isEmpty()) {
      parts.add("risk " + t.risks().stream().sorted().toList());
    }
    if (!t.connectors().isEmpty()) {
      parts.add("connectors " + t.connectors().stream().sorted().toList());
    }
    return "target " + String.join(", ", parts);
  }
}
