package dev.portcullis.edge;

import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns an outcome into what an MCP client receives. A result is text (the JSON) plus structured
 * content; a refusal or failure is an {@code isError} result the model can read and act on, with
 * the problem type, the reasons and the ids an operator needs. An unknown tool is a protocol error,
 * as the MCP specification asks (the dispatcher answers it). A call still waiting for a person is a
 * result (not an error) with the handle to follow it: {@code portcullis_outcome}.
 */
final class McpToolResults {
  private final JsonMapper json;

  McpToolResults(JsonMapper json) {
    this.json = json;
  }

  /** What a call that ended with (or was parked with) {@code outcome} answers. */
  McpSchema.CallToolResult of(Outcome outcome) {
    return switch (outcome) {
      case Outcome.Completed done -> result(done);
      case Outcome.Denied d ->
          error(
              d,
              OutcomeProblems.type(d.kind()).uri(),
              d.message(),
              d.reasons(),
              switch (d.kind()) {
                case INVALID_ARGUMENTS -> "violations";
                case IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_FLIGHT -> "invocations";
                default -> "rules";
              });
      case Outcome.Failed f ->
          error(f, OutcomeProblems.type(f.kind()).uri(), f.detail(), List.of(), "reasons");
      case Outcome.AwaitingApproval a ->
          pending(a.invocation(), InvocationState.AWAITING_APPROVAL, a.approvalId());
    };
  }

  /**
   * What a stored call answers now: its outcome exactly as the call itself gave (or would have
   * given) it once ended, or a pending result while it has not ended. {@code approvalId} may be
   * null.
   */
  McpSchema.CallToolResult of(StoredInvocation s, String approvalId) {
    Outcome outcome = s.outcome();
    if (outcome != null) {
      return of(outcome);
    }
    Ending e = s.ending();
    if (s.state().isTerminal() && e != null) {
      // Ended, but its stored ending names no outcome (every well-formed ending does): a store
      // fault.
      return error(s.invocation(), ProblemType.INTERNAL.uri(), e.detail(), e.reasons(), "reasons");
    }
    return pending(s.invocation(), s.state(), approvalId);
  }

  McpSchema.CallToolResult result(Outcome.Completed done) {
    JsonNode value = done.result();
    Object structured = value.isObject() ? json.convertValue(value, Map.class) : null;
    return new McpSchema.CallToolResult(
        List.of(new McpSchema.TextContent(null, json.writeValueAsString(value), null)),
        false,
        structured,
        meta(done.invocation()));
  }

  /**
   * A call that has not ended: not an error, a result saying where it stands, with the handles to
   * follow it ({@code structuredContent: {status: "awaiting-approval", approvalId, invocationId}}).
   */
  McpSchema.CallToolResult pending(Invocation inv, InvocationState state, String approvalId) {
    String status = state.wireName();
    Map<String, Object> structured = new LinkedHashMap<>();
    structured.put("status", status);
    if (approvalId != null) {
      structured.put("approvalId", approvalId);
    }
    structured.put("invocationId", inv.invocationId());
    String where =
        switch (state) {
          case AWAITING_APPROVAL ->
              "This call awaits a person's approval"
                  + (approvalId == null ? "" : " (approval " + approvalId + ")")
                  + "; it has not run yet.";
          case NEEDS_RECONCILIATION ->
              "This call was interrupted while it ran; an operator is finding out whether it"
                  + " took effect. Do not make it again.";
          default -> "This call is " + status.replace('_', ' ') + "; it has not ended yet.";
        };
    String text =
        where
            + " To learn how it ends, call the tool "
            + McpOutcomeTool.NAME
            + " with {\"invocationId\": \""
            + inv.invocationId()
            + "\"} (add \"waitSeconds\" to wait for the outcome).";
    return new McpSchema.CallToolResult(
        List.of(new McpSchema.TextContent(null, text, null)), false, structured, meta(inv));
  }

  McpSchema.CallToolResult error(
      Outcome outcome,
      String problemType,
      String message,
      List<String> reasons,
      String reasonsName) {
    return error(outcome.invocation(), problemType, message, reasons, reasonsName);
  }

  private McpSchema.CallToolResult error(
      Invocation inv,
      String problemType,
      String message,
      List<String> reasons,
      String reasonsName) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("type", problemType);
    error.put("message", message);
    if (!reasons.isEmpty()) {
      error.put(reasonsName, reasons);
    }
    error.put("invocationId", inv.invocationId());
    error.put("traceId", inv.traceId());
    StringBuilder text = new StringBuilder(message);
    if (!reasons.isEmpty()) {
      text.append("\n").append(reasonsName).append(": ").append(String.join("; ", reasons));
    }
    return new McpSchema.CallToolResult(
        List.of(new McpSchema.TextContent(null, text.toString(), null)),
        true,
        Map.of("error", error),
        meta(inv));
  }

  /**
   * A refusal that is about no call of the agent's ({@code portcullis_outcome} with bad input or an
   * id that is not the agent's): no invocation or trace id, so nothing leaks.
   */
  McpSchema.CallToolResult refusal(ProblemType type, String message, List<String> violations) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("type", type.uri());
    error.put("message", message);
    if (!violations.isEmpty()) {
      error.put("violations", violations);
    }
    String text =
        violations.isEmpty() ? message : message + "\nviolations: " + String.join("; ", violations);
    return new McpSchema.CallToolResult(
        List.of(new McpSchema.TextContent(null, text, null)), true, Map.of("error", error), null);
  }

  private static Map<String, Object> meta(Invocation inv) {
    return Map.of(
        "portcullis/invocationId", inv.invocationId(), "portcullis/traceId", inv.traceId());
  }
}
