package dev.portcullis.policy;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What policy knows of a catalog tool when it compiles: to index rules, check the arguments a
 * condition reads, warn about conditions a schema-valid call can make fail, and give numbers their
 * declared CEL type. The arguments of an upstream MCP tool are not known until an operator approves
 * its descriptor, so for such a tool {@code argumentsKnown} is false, {@code args.*} is not checked
 * at load, and its numbers follow the whole-number rule of {@link ArgumentTypes}.
 */
public record ToolFacts(
    String name,
    String risk,
    String connector,
    Set<String> argumentNames,
    Set<String> requiredArguments,
    ArgumentTypes argumentTypes,
    boolean argumentsKnown) {
  public ToolFacts {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(risk, "risk");
    Objects.requireNonNull(connector, "connector");
    argumentNames = Set.copyOf(argumentNames);
    requiredArguments = Set.copyOf(requiredArguments);
    Objects.requireNonNull(argumentTypes, "argumentTypes");
  }

  /** A tool whose arguments are known by name only, every one of them optional and untyped. */
  public ToolFacts(String name, String risk, String connector, Set<String> argumentNames) {
    this(name, risk, connector, argumentNames, Set.of(), ArgumentTypes.UNTYPED, true);
  }

  /**
   * A configured tool: its arguments, which are required, and their types, from its input schema.
   */
  public static ToolFacts fromSchema(
      String name, String risk, String connector, JsonNode inputSchema) {
    Set<String> names = new LinkedHashSet<>();
    inputSchema.path("properties").propertyNames().forEach(names::add);
    Set<String> required = new LinkedHashSet<>();
    inputSchema.path("required").forEach(n -> required.add(n.asString("")));
    return new ToolFacts(
        name, risk, connector, names, required, ArgumentTypes.of(inputSchema), true);
  }

  /** An upstream tool, whose arguments are not known at load. */
  public static ToolFacts argumentsUnknown(String name, String risk, String connector) {
    return new ToolFacts(name, risk, connector, Set.of(), Set.of(), ArgumentTypes.UNTYPED, false);
  }
}
