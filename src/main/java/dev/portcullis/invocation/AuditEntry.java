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
 *
 * <p>Build one by name: {@link #builder} takes the five fields every record has, and each other
 * field is set by its name or left out (null); {@link #toBuilder} copies one record to change a
 * field. {@code reasons} are wire strings, the hashed form; {@link AuditReason} builds and reads
 * them as values.
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

  /** A record of {@code invocationId} in {@code state}; every other field is set by its name. */
  public static Builder builder(
      Instant recordedAt, String invocationId, String traceId, String state, String configHash) {
    return new Builder(recordedAt, invocationId, traceId, state, configHash);
  }

  /** A builder holding every field of this record. */
  public Builder toBuilder() {
    return new Builder(recordedAt, invocationId, traceId, state, configHash)
        .requestId(requestId)
        .tenant(tenant)
        .agentId(agentId)
        .userId(userId)
        .sessionId(sessionId)
        .channel(channel)
        .toolName(toolName)
        .toolVersion(toolVersion)
        .descriptorHash(descriptorHash)
        .arguments(arguments)
        .argumentsDigest(argumentsDigest)
        .decision(decision)
        .reasons(reasons)
        .errorKind(errorKind)
        .errorDetail(errorDetail)
        .durationMs(durationMs)
        .policyVersion(policyVersion)
        .shadows(shadows)
        .user(user)
        .context(context)
        .filtered(filtered)
        .credential(credential);
  }

  /** {@code reasons} read as values. */
  public List<AuditReason> events() {
    return reasons.stream().map(AuditReason::parse).toList();
  }

  /** Builds an {@link AuditEntry} field by field; a field never set is null (reasons: empty). */
  public static final class Builder {
    private Instant recordedAt;
    private final String invocationId;
    private final String traceId;
    private String state;
    private final String configHash;
    private String requestId;
    private String tenant;
    private String agentId;
    private String userId;
    private String sessionId;
    private String channel;
    private String toolName;
    private String toolVersion;
    private String descriptorHash;
    private String arguments;
    private String argumentsDigest;
    private String decision;
    private List<String> reasons = List.of();
    private String errorKind;
    private String errorDetail;
    private Long durationMs;
    private String policyVersion;
    private String shadows;
    private String user;
    private String context;
    private String filtered;
    private String credential;

    private Builder(
        Instant recordedAt, String invocationId, String traceId, String state, String configHash) {
      this.recordedAt = recordedAt;
      this.invocationId = invocationId;
      this.traceId = traceId;
      this.state = state;
      this.configHash = configHash;
    }

    public Builder recordedAt(Instant value) {
      this.recordedAt = value;
      return this;
    }

    public Builder state(String value) {
      this.state = value;
      return this;
    }

    public Builder requestId(String value) {
      this.requestId = value;
      return this;
    }

    public Builder tenant(String value) {
      this.tenant = value;
      return this;
    }

    public Builder agentId(String value) {
      this.agentId = value;
      return this;
    }

    public Builder userId(String value) {
      this.userId = value;
      return this;
    }

    public Builder sessionId(String value) {
      this.sessionId = value;
      return this;
    }

    public Builder channel(String value) {
      this.channel = value;
      return this;
    }

    public Builder toolName(String value) {
      this.toolName = value;
      return this;
    }

    public Builder toolVersion(String value) {
      this.toolVersion = value;
      return this;
    }

    public Builder descriptorHash(String value) {
      this.descriptorHash = value;
      return this;
    }

    public Builder arguments(String value) {
      this.arguments = value;
      return this;
    }

    public Builder argumentsDigest(String value) {
      this.argumentsDigest = value;
      return this;
    }

    public Builder decision(String value) {
      this.decision = value;
      return this;
    }

    /** The reasons as written (wire strings). */
    public Builder reasons(List<String> value) {
      this.reasons = value;
      return this;
    }

    /** The reasons as values, written in their wire form. */
    public Builder events(List<? extends AuditReason> value) {
      this.reasons = AuditReason.wire(value);
      return this;
    }

    public Builder errorKind(String value) {
      this.errorKind = value;
      return this;
    }

    public Builder errorDetail(String value) {
      this.errorDetail = value;
      return this;
    }

    public Builder durationMs(Long value) {
      this.durationMs = value;
      return this;
    }

    public Builder policyVersion(String value) {
      this.policyVersion = value;
      return this;
    }

    public Builder shadows(String value) {
      this.shadows = value;
      return this;
    }

    public Builder user(String value) {
      this.user = value;
      return this;
    }

    public Builder context(String value) {
      this.context = value;
      return this;
    }

    public Builder filtered(String value) {
      this.filtered = value;
      return this;
    }

    public Builder credential(String value) {
      this.credential = value;
      return this;
    }

    public AuditEntry build() {
      return new AuditEntry(
          recordedAt,
          invocationId,
          traceId,
          requestId,
          tenant,
          agentId,
          userId,
          sessionId,
          channel,
          toolName,
          toolVersion,
          descriptorHash,
          arguments,
          argumentsDigest,
          state,
          decision,
          reasons,
          errorKind,
          errorDetail,
          durationMs,
          configHash,
          policyVersion,
          shadows,
          user,
          context,
          filtered,
          credential);
    }
  }
}
