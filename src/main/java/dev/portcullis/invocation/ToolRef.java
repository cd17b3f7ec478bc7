package dev.portcullis.invocation;

import java.util.Objects;

/**
 * The catalog entry a call resolved to: name, version and the hash that pins its descriptor, its
 * risk class and the connector that runs it.
 */
public record ToolRef(
    String name, String version, String descriptorHash, String riskClass, String connector) {
  public ToolRef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(descriptorHash, "descriptorHash");
    Objects.requireNonNull(riskClass, "riskClass");
    Objects.requireNonNull(connector, "connector");
  }
}
