package dev.portcullis.pipeline;

import dev.portcullis.catalog.ArgumentLimits;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Checks the arguments against the size and depth limits, then against the tool's compiled JSON
 * Schema. Ends the call denied with every violation listed; nothing runs on bad input.
 */
public final class ValidateStage implements Stage {
  private final Catalog catalog;
  private final ArgumentLimits limits;

  public ValidateStage(Catalog catalog, ArgumentLimits limits) {
    this.catalog = catalog;
    this.limits = limits;
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
      return new Outcome.Denied(invocation, DenialKind.DESCRIPTOR_CHANGED,
          "the descriptor of tool '" + invocation.toolName() + "' changed while this call was under way; call it again",
          List.of("descriptor-changed"));
    }
    List<String> violations = entry.schema().violations(invocation.arguments());
    return violations.isEmpty() ? null : invalid(invocation, violations);
  }

  /**
   * Why {@code invocation}'s arguments break the limits or the tool's schema, or null: what an
   * approver's edited arguments must pass whatever else has happened to the tool.
   */
  Outcome.Denied checkArguments(Invocation invocation) {
    Outcome.Denied shape = shape(invocation);
    if (shape != null) {
      return shape;
    }
    List<String> violations = entry(invocation).schema().violations(invocation.arguments());
    return violations.isEmpty() ? null : invalid(invocation, violations);
  }

  private Outcome.Denied shape(Invocation invocation) {
    JsonNode args = invocation.arguments();
    if (!args.isObject()) {
      return invalid(invocation, List.of("/: arguments must be a JSON object"));
    }
    int depth = depth(args, 0);
    if (depth > limits.maxDepth()) {
      return invalid(
          invocation, List.of("/: arguments nest " + depth + " levels deep; the limit is " + limits.maxDepth()));
    }
    int bytes = args.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limits.maxBytes()) {
      return invalid(
          invocation, List.of("/: arguments take " + bytes + " bytes; the limit is " + limits.maxBytes()));
    }
    return null;
  }

  private CatalogEntry entry(Invocation invocation) {
    return catalog.find(invocation.toolName()).orElseThrow(() -> new IllegalStateException(
        "validate ran before the catalog resolved " + invocation.toolName()));
  }

  private static Outcome.Denied invalid(Invocation invocation, List<String> violations) {
    return new Outcome.Denied(
        invocation,
        DenialKind.INVALID_ARGUMENTS,
        "arguments do not match the input schema of tool '" + invocation.toolName() + "'",
        violations);
  }

  private static int depth(JsonNode node, int level) {
    if (!node.isContainer()) {
      return level;
    }
    int max = level + 1;
    for (JsonNode child : node) {
      max = Math.max(max, depth(child, level + 1));
    }
    return max;
  }
}
