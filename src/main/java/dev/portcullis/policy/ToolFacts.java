package dev.portcullis.policy;

import java.util.Objects;
import java.util.Set;

/** What policy knows of a catalog tool when it compiles: to index rules and check arguments. */
public record ToolFacts(String name, String risk, String connector, Set<String> argumentNames) {
  public ToolFacts {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(risk, "risk");
    Objects.requireNonNull(connector, "connector");
    argumentNames = Set.copyOf(argumentNames);
  }
}
