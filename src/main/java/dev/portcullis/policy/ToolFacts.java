package dev.portcullis.policy;

import java.util.Objects;
import java.util.Set;

/**
 * What policy knows of a catalog tool when it compiles: to index rules and check arguments. The
 * arguments of an upstream MCP tool are not known until an operator approves its descriptor, so
 * for such a tool {@code argumentsKnown} is false and {@code args.*} is not checked at load.
 */
public record ToolFacts(String name, String risk, String connector, Set<String> argumentNames, boolean argumentsKnown) {
  public ToolFacts {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(risk, "risk");
    Objects.requireNonNull(connector, "connector");
    argumentNames = Set.copyOf(argumentNames);
  }

  /** A tool whose arguments are known from its configured schema. */
  public ToolFacts(String name, String risk, String connector, Set<String> argumentNames) {
    this(name, risk, connector, argumentNames, true);
  }
}
