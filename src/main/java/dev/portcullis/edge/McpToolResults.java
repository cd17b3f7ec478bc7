package dev.portcullis.edge;

import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns an outcome into what an MCP client receives. A result is text (the JSON) plus structured
 * content; a refusal or failure is an {@code isError} result the model can read and act on, with
 * the problem type, the reasons and the ids an operator needs. An unknown tool is a protocol
 * error, as the MCP specification asks.
 */
final class McpToolResults {
  private final JsonMapper json;

  McpToolResults(JsonMapper json) {
    this.json = json;
  }

  McpSchema.CallToolResult result(Outcome.Completed done) {
    JsonNode value = done.result();
    Object structured = value.isObject() ? json.convertValue(value, Map.class) : null;
    return new McpSchema.CallToolResult(
        List.of(new McpSchema.TextContent(null, json.writeValueAsString(value), null)), false, structured, meta(done.invocation()));
  }

  /**
   * A parked call: not an error, a result saying it awaits approval, with the handles to follow it
   * ({@code structuredContent: {status: "awaiting_approval", approvalId, invocationId}}).
   */
  McpSchema.CallToolResult awaiting(Outcome.AwaitingApproval parked) {
    Map<String, Object> structured = new LinkedHashMap<>();
    structured.put("status", "awaiting_approval");
    structured.put("approvalId", parked.approvalId());
    structured.put("invocationId", parked.invocation().invocationId());
    String text = "This call awaits a person's approval (approval " + parked.approvalId() + ", invocation "
        + parked.invocation().invocationId() + "); it has not run yet.";
    return new McpSchema.CallToolResult(
        List.of(new McpSchema.TextContent(null, text, null)), false, structured, meta(parked.invocation()));
  }

  McpSchema.CallToolResult error(Outcome outcome, String problemType, String message, List<String> reasons, String reasonsName) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("type", problemType);
    error.put("message", message);
    if (!reasons.isEmpty()) {
      error.put(reasonsName, reasons);
    }
    error.put("invocationId", outcome.invocation().invocationId());
    error.put("traceId", outcome.invocation().traceId());
    StringBuilder text = new StringBuilder(message);
    if (!reasons.isEmpty()) {
      text.append("\n").append(reasonsName).append(": ").append(String.join("; ", reasons));
    }
    return new McpSchema.CallToolResult(
        List.of(new McpSchema.TextContent(null, text.toString(), null)), true, Map.of("error", error), meta(outcome.invocation()));
  }

  private static Map<String, Object> meta(Invocation inv) {
    return Map.of("portcullis/invocationId", inv.invocationId(), "portcullis/traceId", inv.traceId());
  }
}
