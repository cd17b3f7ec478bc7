package dev.portcullis.connector;

import dev.portcullis.invocation.FailureKind;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/** What a connector call produced: a value, or a typed failure safe to show the agent. */
public sealed interface ConnectorResult {
  record Success(JsonNode value) implements ConnectorResult {
    public Success {
      Objects.requireNonNull(value, "value");
    }
  }

  record Failure(FailureKind kind, String detail) implements ConnectorResult {
    public Failure {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
