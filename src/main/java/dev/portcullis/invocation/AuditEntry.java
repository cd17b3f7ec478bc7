package dev.portcullis.invocation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one audit record says happened: one transition of one invocation. Fields that do not apply
 * (no tool resolved, no decision yet) are null.
 *
 * <p>Security: never holds a credential. {@code arguments} is the agent's input as JSON, or null
 * when the tool is configured to record only {@code argumentsDigest}. The last four fields came
 * later and are JSON or null: {@code shadows} the log-only rules' would-be decisions, {@code user}
 * the delegating user as proven (verified, roles, groups), {@code context} the call's policy
 * context; with {@code policyVersion} they let a candidate policy be replayed over past calls.
 * {@code filtered} (JSON or null) lists what the filter stage took out of a completed call's
 * result: {@code {"dropped": [pointer…], "redacted": [{"path", "kind"}…]}}, paths and kinds, never
 * values.
 */
public record AuditEntry(
    Instant recordedAt,
    String invocationId,
    String traceId,
    String requestId,
    String tenant,
    String agentId,
    String userId,
    String sessionId,
    String channel,
    String toolName,
    String toolVersion,
    String descriptorHash,
    String arguments,
    String argumentsDigest,
    String state,
    String decision,
    List<String> reasons,
    String errorKind,
    String errorDetail,
    Long durationMs,
    String configHash,
    String policyVersion,
    String shadows,
    String user,
    String context,
    String filtered,
    String credential) {

  public AuditEntry {
    Objects.requireNonNull(recordedAt, "recordedAt");
    Objects.requireNonNull(invocationId, "invocationId");
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(state, "state");
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
    Objects.requireNonNull(configHash, "configHash");
  }
}
