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
   * Why {@code invocation}'s arguments are refused (size, depth, a changed descriptor, the schema),
   * or null when they pass. Approvals check an approver's edited arguments with it too.
   */
  Outcome.Denied check(Invocation invocation) {
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
    CatalogEntry entry =
        catalog.find(invocation.toolName()).orElseThrow(() -> new IllegalStateException(
            "validate ran before the catalog resolved " + invocation.toolName()));
    if (!entry.tool().descriptorHash().equals(invocation.tool().descriptorHash())) {
      return new Outcome.Denied(invocation, DenialKind.DESCRIPTOR_CHANGED,
          "the descriptor of tool '" + invocation.toolName() + "' changed while this call was under way; call it again",
          List.of("descriptor-changed"));
    }
    List<String> violations = entry.schema().violations(args);
    return violations.isEmpty() ? null : invalid(invocation, violations);
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
