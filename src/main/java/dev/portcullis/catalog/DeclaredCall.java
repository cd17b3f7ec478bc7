package dev.portcullis.catalog;

import java.util.Objects;

/**
 * A call a tool declares alongside itself: which tool, with arguments templated over its own call.
 */
public record DeclaredCall(String tool, ArgumentTemplate arguments) {
  public DeclaredCall {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(arguments, "arguments");
  }
}
