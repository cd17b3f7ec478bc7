package dev.portcullis.invocation;

import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * An approver's edit of a parked call's arguments: the arguments that replace the agent's (which
 * the store keeps too), their digest, who edited them and when. What runs after approval is exactly
 * these arguments.
 */
public record ArgumentsEdit(JsonNode arguments, String digest, String editedBy, Instant at) {
  public ArgumentsEdit {
    Objects.requireNonNull(arguments, "arguments");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(editedBy, "editedBy");
    Objects.requireNonNull(at, "at");
  }
}
