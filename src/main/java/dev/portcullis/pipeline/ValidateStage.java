package dev.portcullis.pipeline;

import dev.portcullis.catalog.ArgumentLimits;
import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.policy.PolicyEngine;
import java.util.List;

/**
 * Checks the arguments against the size and depth limits, then against the tool's compiled JSON
 * Schema. Ends the call denied with every violation listed; nothing runs on bad input. For a tool
 * the agent may not call, the policy's denial comes first: a hidden tool's schema is never
 * described.
 */
public final class ValidateStage implements Stage {
  private final Catalog catalog;
  private final ArgumentShape shape;
  private final PolicyEngine policy;

  /**
   * {@code policy} decides first for a tool the agent may not call (not in its {@code tools/list}):
   * such a call is refused as policy refuses it, whatever its arguments, so schema violations never
   * describe a tool the agent cannot see.
   */
  public ValidateStage(Catalog catalog, ArgumentLimits limits, PolicyEngine policy) {
    this.catalog = catalog;
    this.shape = new ArgumentShape(limits);
    this.policy = policy;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Outcome.Denied refused = check(invocation);
    return refused != null ? refused : chain.proceed(invocation);
  }

  /**
   * Why {@code invocation} is refused here (size, depth, a tool held or whose descriptor changed
   * since the call was pinned, the schema), or null when it passes. A call resumed after an
   * approval passes here again: its tool may have been quarantined while it waited.
   */
  Outcome.Denied check(Invocation invocation) {
    Outcome.Denied shape = shape(invocation);
    if (shape != null) {
      return shape;
    }
    CatalogEntry entry = entry(invocation);
    Outcome.Denied held = CatalogStage.held(catalog, invocation);
    if (held != null) {
      return held;
    }
    if (!entry.tool().descriptorHash().equals(invocation.tool().descriptorHash())) {
      return new Outcome.Denied(
          invocation,
          DenialKind.DESCRIPTOR_CHANGED,
          "the descriptor of tool '"
              + invocation.toolName()
              + "' changed while this call was under way; call it again",
          List.of("descriptor-changed"));
    }
    List<String> violations = entry.schema().violations(invocation.arguments());
    if (violations.isEmpty()) {
      return null;
    }
    Outcome.Denied hidden = hidden(invocation);
    return hidden != null ? hidden : invalid(invocation, violations);
  }

  /**
   * For a tool the agent may not call, the policy's refusal, exactly as the policy stage would give
   * it for valid arguments; null when the agent may call the tool or the policy does not deny.
   */
  private Outcome.Denied hidden(Invocation invocation) {
    if (policy.mayCall(invocation.agent(), invocation.user(), invocation.toolName())) {
      return null;
    }
    Decision decision = policy.decide(invocation);
    if (decision.effect() != Effect.DENY) {
      return null;
    }
    return new Outcome.Denied(
        invocation.withDecision(decision),
        DenialKind.POLICY,
        decision.reason(),
        decision.ruleIds());
  }

  /**
   * Why {@code invocation}'s arguments break the limits or the tool's schema, or null: what an
   * approver's edited arguments must pass whatever else has happened to the tool.
   */
  public Outcome.Denied checkArguments(Invocation invocation) {
    Outcome.Denied shape = shape(invocation);
    if (shape != null) {
      return shape;
    }
    List<String> violations = entry(invocation).schema().violations(invocation.arguments());
    return violations.isEmpty() ? null : invalid(invocation, violations);
  }

  private Outcome.Denied shape(Invocation invocation) {
    List<String> violations = shape.violations(invocation.arguments());
    return violations.isEmpty() ? null : invalid(invocation, violations);
  }

  private CatalogEntry entry(Invocation invocation) {
    return catalog
        .find(invocation.toolName())
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "validate ran before the catalog resolved " + invocation.toolName()));
  }

  private static Outcome.Denied invalid(Invocation invocation, List<String> violations) {
    return new Outcome.Denied(
        invocation,
        DenialKind.INVALID_ARGUMENTS,
        "arguments do not match the input schema of tool '" + invocation.toolName() + "'",
        violations);
  }
}
