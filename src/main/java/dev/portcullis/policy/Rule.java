package dev.portcullis.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * One policy rule: an effect on the calls its target matches, when its condition (if any) holds.
 * {@code source} names the file and line it came from, for explanations and errors.
 */
public record Rule(
    String id,
    String description,
    RuleEffect effect,
    Target target,
    Optional<Condition> condition,
    RuleMode mode,
    String source) {

  public Rule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(source, "source");
  }

  /** What the agent may be told about this rule: its id and description, nothing else. */
  public String agentSafeReason() {
    return description.isBlank() ? "rule " + id : "rule " + id + ": " + description;
  }
}
