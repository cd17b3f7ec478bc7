package dev.portcullis.pipeline;

import dev.portcullis.catalog.ArgumentLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The shape every call's arguments must have whatever the tool: a JSON object within {@code
 * server.arguments}' size and depth. The edges check it before a call is stored (so no oversized
 * arguments are written, not even for an unknown tool), and the validate stage again (for calls
 * that did not come through an edge: resumed, edited, reverted).
 */
public final class ArgumentShape {
  private final ArgumentLimits limits;

  public ArgumentShape(ArgumentLimits limits) {
    this.limits = limits;
  }

  /**
   * Why {@code args} break the shape, each as a violation ({@code "/: …"}); empty when they do not.
   */
  public List<String> violations(JsonNode args) {
    if (!args.isObject()) {
      return List.of("/: arguments must be a JSON object");
    }
    int depth = depth(args, 0);
    if (depth > limits.maxDepth()) {
      return List.of(
          "/: arguments nest " + depth + " levels deep; the limit is " + limits.maxDepth());
    }
    int bytes = args.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limits.maxBytes()) {
      return List.of("/: arguments take " + bytes + " bytes; the limit is " + limits.maxBytes());
    }
    return List.of();
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
