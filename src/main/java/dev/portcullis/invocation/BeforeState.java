package dev.portcullis.invocation;

import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * What a write tool's declared read saw just before the write ran: the state the write was about to
 * change, kept with the invocation so that a compensation can put it back. {@code state} is the
 * read's filtered result; {@code digest} is its SHA-256, which the audit record carries instead of
 * the values.
 */
public record BeforeState(
    String invocationId,
    String readTool,
    JsonNode readArguments,
    JsonNode state,
    String digest,
    Instant capturedAt) {
  public BeforeState {
    Objects.requireNonNull(invocationId, "invocationId");
    Objects.requireNonNull(readTool, "readTool");
    Objects.requireNonNull(readArguments, "readArguments");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(capturedAt, "capturedAt");
  }
}
