package dev.portcullis.catalog;

import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * An operator's approval of one upstream tool's descriptor: the descriptor itself, its {@code
 * fingerprint} ({@link DescriptorHash#ofUpstream}), who approved it and when. Versions count the
 * approvals of the same tool; the newest is the one in force.
 */
public record ToolPin(
    String tool,
    int version,
    String fingerprint,
    JsonNode descriptor,
    String approvedBy,
    Instant approvedAt) {
  public ToolPin {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(approvedBy, "approvedBy");
    Objects.requireNonNull(approvedAt, "approvedAt");
  }
}
