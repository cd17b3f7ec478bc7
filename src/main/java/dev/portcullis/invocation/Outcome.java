package dev.portcullis.invocation;

import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * How one invocation ended. Each outcome carries the invocation as it stood when the call ended, so
 * the stages outside can record what the inner ones learnt (the tool, the decision).
 */
public sealed interface Outcome {
  Invocation invocation();

  InvocationState state();

  /**
   * The call ran and the connector returned this result; {@code filtered} says what the filter
   * stage dropped and redacted on its way out (paths only, for the audit record).
   */
  record Completed(Invocation invocation, JsonNode result, FilterReport filtered)
      implements Outcome {
    public Completed {
      Objects.requireNonNull(invocation, "invocation");
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(filtered, "filtered");
    }

    /** A result nothing has filtered (yet). */
    public Completed(Invocation invocation, JsonNode result) {
      this(invocation, result, FilterReport.NONE);
    }

    @Override
    public InvocationState state() {
      return InvocationState.COMPLETED;
    }
  }

  /** The call was refused before any effect; {@code reasons} are rule ids or violations. */
  record Denied(Invocation invocation, DenialKind kind, String message, List<String> reasons)
      implements Outcome {
    public Denied {
      Objects.requireNonNull(invocation, "invocation");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
      reasons = List.copyOf(reasons);
    }

    @Override
    public InvocationState state() {
      return InvocationState.DENIED;
    }
  }

  /** The call was allowed but did not complete. {@code detail} is safe to show the agent. */
  record Failed(Invocation invocation, FailureKind kind, String detail) implements Outcome {
    public Failed {
      Objects.requireNonNull(invocation, "invocation");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public InvocationState state() {
      return InvocationState.FAILED;
    }
  }

  /** The call is parked until a person decides; {@code approvalId} names the request. */
  record AwaitingApproval(Invocation invocation, String approvalId) implements Outcome {
    public AwaitingApproval {
      Objects.requireNonNull(invocation, "invocation");
      Objects.requireNonNull(approvalId, "approvalId");
    }

    @Override
    public InvocationState state() {
      return InvocationState.AWAITING_APPROVAL;
    }
  }
}
