package dev.portcullis.invocation;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * The unit of work, audit and tracing: one proposed tool call and everything learnt about it on its
 * way through the pipeline. Immutable: a stage that learns something returns a copy.
 *
 * <p>Security: {@code arguments} is the agent's input and is never trusted; the edge parses it once
 * and nothing mutates it afterwards. {@code user} is the human the agent acts for: verified by a
 * token, or merely asserted by the agent (recorded, never trusted); null when there is none.
 */
public record Invocation(
    String invocationId,
    String traceId,
    String requestId,
    String idempotencyKey,
    AgentRef agent,
    UserRef user,
    String sessionId,
    String channel,
    String toolName,
    ToolRef tool,
    JsonNode arguments,
    Map<String, String> policyContext,
    Instant receivedAt,
    InvocationState state,
    Decision decision,
    CredentialUse credential) {

  public Invocation {
    Objects.requireNonNull(invocationId, "invocationId");
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(toolName, "toolName");
    Objects.requireNonNull(arguments, "arguments");
    policyContext = Map.copyOf(policyContext);
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(state, "state");
  }

  /** A new call, as the edge builds it: nothing resolved or decided yet. */
  public static Invocation received(
      String invocationId,
      String traceId,
      String requestId,
      String idempotencyKey,
      AgentRef agent,
      UserRef user,
      String sessionId,
      String channel,
      String toolName,
      JsonNode arguments,
      Map<String, String> policyContext,
      Instant receivedAt) {
    return new Invocation(
        invocationId,
        traceId,
        requestId,
        idempotencyKey,
        agent,
        user,
        sessionId,
        channel,
        toolName,
        null,
        arguments,
        policyContext,
        receivedAt,
        InvocationState.RECEIVED,
        null,
        null);
  }

  public String tenant() {
    return agent.tenant();
  }

  /**
   * Whether this call was made by {@code agent} (same id, same tenant) for {@code user}, the
   * verified user the reader proves (null for none): only they may read its outcome. A user the
   * agent merely asserted proves nothing, so such a call counts as made for nobody.
   */
  public boolean madeFor(AgentRef agent, UserRef user) {
    return this.agent.id().equals(agent.id())
        && this.agent.tenant().equals(agent.tenant())
        && Objects.equals(UserRef.principal(this.user), UserRef.principal(user));
  }

  public Invocation withTool(ToolRef resolved) {
    return new Invocation(
        invocationId,
        traceId,
        requestId,
        idempotencyKey,
        agent,
        user,
        sessionId,
        channel,
        toolName,
        Objects.requireNonNull(resolved),
        arguments,
        policyContext,
        receivedAt,
        state,
        decision,
        credential);
  }

  public Invocation withDecision(Decision made) {
    return new Invocation(
        invocationId,
        traceId,
        requestId,
        idempotencyKey,
        agent,
        user,
        sessionId,
        channel,
        toolName,
        tool,
        arguments,
        policyContext,
        receivedAt,
        state,
        Objects.requireNonNull(made),
        credential);
  }

  /**
   * The call with {@code edited} in place of its arguments: an approver's edit while it was parked.
   */
  public Invocation withArguments(JsonNode edited) {
    return new Invocation(
        invocationId,
        traceId,
        requestId,
        idempotencyKey,
        agent,
        user,
        sessionId,
        channel,
        toolName,
        tool,
        Objects.requireNonNull(edited),
        policyContext,
        receivedAt,
        state,
        decision,
        credential);
  }

  /** Records which credential the call used upstream (set by the execute stage). */
  public Invocation withCredential(CredentialUse used) {
    return new Invocation(
        invocationId,
        traceId,
        requestId,
        idempotencyKey,
        agent,
        user,
        sessionId,
        channel,
        toolName,
        tool,
        arguments,
        policyContext,
        receivedAt,
        state,
        decision,
        used);
  }

  /** Moves to {@code next}, refusing a transition the state machine does not have. */
  public Invocation movedTo(InvocationState next) {
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException(
          "invocation " + invocationId + " cannot move from " + state + " to " + next);
    }
    return new Invocation(
        invocationId,
        traceId,
        requestId,
        idempotencyKey,
        agent,
        user,
        sessionId,
        channel,
        toolName,
        tool,
        arguments,
        policyContext,
        receivedAt,
        next,
        decision,
        credential);
  }
}
