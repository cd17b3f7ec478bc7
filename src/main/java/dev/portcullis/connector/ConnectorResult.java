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

  /**
   * A typed failure. {@code conclusive} is true only when the upstream's answer settles that the
   * call did not take effect there: it refused this very request, as it would refuse it again (for
   * HTTP, a 4xx that is about the request, not about the credential, the rate or the idempotency
   * key). It is false whenever the call may have taken effect or the answer does not say (a
   * timeout, a lost connection, a 5xx, a rate limit), and for anything refused before it was sent.
   * Recovery reads it to decide whether a re-sent write has a real outcome or still needs an
   * operator.
   */
  record Failure(FailureKind kind, String detail, CredentialUse credential, boolean conclusive)
      implements ConnectorResult {
    public Failure {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(detail, "detail");
    }

    /** A failure that does not settle whether the call took effect upstream. */
    public Failure(FailureKind kind, String detail, CredentialUse credential) {
      this(kind, detail, credential, false);
    }

    /** As above, without a credential use. */
    public Failure(FailureKind kind, String detail) {
      this(kind, detail, null, false);
    }
  }
}
