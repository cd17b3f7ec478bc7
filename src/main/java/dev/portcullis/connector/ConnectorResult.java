package dev.portcullis.connector;

import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.FailureKind;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/** What a connector call produced: a value, or a typed failure safe to show the agent. */
public sealed interface ConnectorResult {
  /** The credential the call used, if any: recorded by the audit, never shown. */
  CredentialUse credential();

  record Success(JsonNode value, CredentialUse credential) implements ConnectorResult {
    public Success {
      Objects.requireNonNull(value, "value");
    }

    public Success(JsonNode value) {
      this(value, null);
    }
  }

  record Failure(FailureKind kind, String detail, CredentialUse credential)
      implements ConnectorResult {
    public Failure {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(detail, "detail");
    }

    public Failure(FailureKind kind, String detail) {
      this(kind, detail, null);
    }
  }
}
