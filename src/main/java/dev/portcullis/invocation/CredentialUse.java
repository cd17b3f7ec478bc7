package dev.portcullis.invocation;

import java.util.Objects;

/**
 * Which credential a call used upstream: its reference and version (0 when the source has no
 * versions), never its value; and whether the connector masked an echo of it in the answer.
 */
public record CredentialUse(String ref, int version, boolean echoMasked) {
  public CredentialUse {
    Objects.requireNonNull(ref, "ref");
  }
}
