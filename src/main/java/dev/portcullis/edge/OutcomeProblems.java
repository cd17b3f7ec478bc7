package dev.portcullis.edge;

import dev.portcullis.invocation.DenialKind;
import dev.portcullis.invocation.FailureKind;
import dev.portcullis.invocation.Outcome;

/** Maps an outcome that is not a success onto its problem type and members. */
final class OutcomeProblems {
  private OutcomeProblems() {}

  static Problem of(Outcome outcome) {
    Problem p =
        switch (outcome) {
          case Outcome.Denied d -> denied(d);
          case Outcome.Failed f -> Problem.of(type(f.kind()), f.detail());
          case Outcome.Completed c ->
              throw new IllegalArgumentException("a completed call is not a problem");
          case Outcome.AwaitingApproval a ->
              throw new IllegalArgumentException("a parked call is not a problem");
        };
    return p.with("invocationId", outcome.invocation().invocationId())
        .with("traceId", outcome.invocation().traceId());
  }

  private static Problem denied(Outcome.Denied d) {
    return switch (d.kind()) {
      case UNKNOWN_TOOL -> Problem.of(ProblemType.UNKNOWN_TOOL, d.message());
      case INVALID_ARGUMENTS ->
          Problem.of(ProblemType.INVALID_ARGUMENTS, d.message()).with("violations", d.reasons());
      case POLICY ->
          Problem.of(ProblemType.DENIED_BY_POLICY, d.message()).with("rules", d.reasons());
      case TOOL_NOT_APPROVED, TOOL_QUARANTINED, UPSTREAM_UNVERIFIED, DESCRIPTOR_CHANGED ->
          Problem.of(type(d.kind()), d.message());
      case IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_FLIGHT ->
          d.reasons().isEmpty()
              ? Problem.of(
                  type(d.kind()), d.message()) // the first call was another user's: not named
              : Problem.of(type(d.kind()), d.message())
                  .with("firstInvocationId", d.reasons().getFirst());
      case APPROVAL_DENIED, APPROVAL_EXPIRED, CANCELLED ->
          Problem.of(type(d.kind()), d.message()).with("reasons", d.reasons());
    };
  }

  static ProblemType type(FailureKind kind) {
    return switch (kind) {
      case UPSTREAM_REJECTED -> ProblemType.UPSTREAM_REJECTED;
      case UPSTREAM_ERROR -> ProblemType.UPSTREAM_ERROR;
      case UPSTREAM_TIMEOUT -> ProblemType.UPSTREAM_TIMEOUT;
      case UPSTREAM_UNREACHABLE -> ProblemType.UPSTREAM_UNREACHABLE;
      case CREDENTIAL_UNAVAILABLE -> ProblemType.CONNECTOR_UNAVAILABLE;
      case AUDIT_UNAVAILABLE -> ProblemType.AUDIT_UNAVAILABLE;
      case STORE_UNAVAILABLE -> ProblemType.STORE_UNAVAILABLE;
      case BEFORE_STATE_UNAVAILABLE -> ProblemType.BEFORE_STATE_UNAVAILABLE;
      case INTERRUPTED -> ProblemType.INTERRUPTED;
      case INTERNAL -> ProblemType.INTERNAL;
    };
  }

  static ProblemType type(DenialKind kind) {
    return switch (kind) {
      case UNKNOWN_TOOL -> ProblemType.UNKNOWN_TOOL;
      case INVALID_ARGUMENTS -> ProblemType.INVALID_ARGUMENTS;
      case POLICY -> ProblemType.DENIED_BY_POLICY;
      case TOOL_NOT_APPROVED -> ProblemType.TOOL_NOT_APPROVED;
      case TOOL_QUARANTINED -> ProblemType.TOOL_QUARANTINED;
      case UPSTREAM_UNVERIFIED -> ProblemType.CONNECTOR_UNAVAILABLE;
      case DESCRIPTOR_CHANGED -> ProblemType.DESCRIPTOR_CHANGED;
      case IDEMPOTENCY_KEY_REUSED -> ProblemType.IDEMPOTENCY_KEY_REUSED;
      case IDEMPOTENCY_KEY_IN_FLIGHT -> ProblemType.IDEMPOTENCY_KEY_IN_FLIGHT;
      case APPROVAL_DENIED -> ProblemType.APPROVAL_DENIED;
      case APPROVAL_EXPIRED -> ProblemType.APPROVAL_EXPIRED;
      case CANCELLED -> ProblemType.INVOCATION_CANCELLED;
    };
  }
}
