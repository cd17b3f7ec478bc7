package dev.portcullis.approval;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One {@code approvals.quorum} entry: calls of the tools it names (names or globs, {@code tools})
 * need {@code approvers} distinct approvers. {@code matcher} is those names compiled at load (the
 * configuration compiles them with the policy's name patterns).
 */
public record QuorumRule(List<String> tools, int approvers, Predicate<String> matcher) {
  public QuorumRule {
    tools = List.copyOf(tools);
    Objects.requireNonNull(matcher, "matcher");
    if (approvers < 2) {
      throw new IllegalArgumentException("a quorum needs at least two approvers, not " + approvers);
    }
  }

  public boolean appliesTo(String toolName) {
    return matcher.test(toolName);
  }
}
