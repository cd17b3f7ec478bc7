package dev.portcullis.invocation;

import java.util.Objects;

/** The catalog entry a call resolved to: name, version and the hash that pins its descriptor. */
public record ToolRef(String name, String version, String descriptorHash, String riskClass) {
  public ToolRef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(descriptorHash, "descriptorHash");
    Objects.requireNonNull(riskClass, "riskClass");
  }
}
