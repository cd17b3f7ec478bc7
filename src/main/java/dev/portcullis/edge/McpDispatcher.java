package dev.portcullis.edge;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.UserRef;
import dev.portcullis.pipeline.ToolSummary;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Answers the JSON-RPC methods of an established MCP session: {@code ping}, {@code tools/list}
 * (only the tools this agent may call) and {@code tools/call} (through the pipeline). Every other
 * method is "method not found": this server declares the tools capability only. A {@code
 * tools/call} whose {@code params._meta} has {@code portcullis/idempotencyKey} is idempotent as the
 * REST door's {@code Idempotency-Key} makes it.
 */
final class McpDispatcher {
  /** The {@code _meta} member of {@code tools/call} params that carries an idempotency key (MCP has no header for it). */
  static final String IDEMPOTENCY_META = "portcullis/idempotencyKey";

  private final Gateway gateway;
  private final McpToolResults results;

  McpDispatcher(Gateway gateway) {
    this.gateway = gateway;
    this.results = new McpToolResults(gateway.json());
  }

  JSONRPCResponse dispatch(
      Object id, String method, JsonNode params, AgentRef agent, UserRef user, McpSessions.Session session,
      String traceHeader) {
    return switch (method) {
      case "ping" -> JSONRPCResponse.result(id, Map.of());
      case "tools/list" -> JSONRPCResponse.result(id, new McpSchema.ListToolsResult(tools(agent, user), null, null));
      case "tools/call" -> call(id, params, agent, user, session, traceHeader);
      default ->
          JSONRPCResponse.error(
              id, new JSONRPCError(ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + method, null));
    };
  }

  private List<McpSchema.Tool> tools(AgentRef agent, UserRef user) {
    return gateway.tools().visibleTo(agent, user).stream().map(this::tool).toList();
  }

  @SuppressWarnings("unchecked")
  private McpSchema.Tool tool(ToolSummary t) {
    Map<String, Object> schema = gateway.json().convertValue(t.inputSchema(), Map.class);
    McpSchema.ToolAnnotations annotations =
        new McpSchema.ToolAnnotations(
            t.title(), t.risk().equals("read"), t.risk().equals("write"), null, null, null);
    return new McpSchema.Tool(t.name(), t.title(), t.description(), schema, null, annotations, null, null);
  }

  private JSONRPCResponse call(
      Object id, JsonNode params, AgentRef agent, UserRef user, McpSessions.Session session, String traceHeader) {
    JsonNode name = params.path("name");
    if (!name.isString() || name.asString().isEmpty()) {
      return invalidParams(id, "tools/call needs params.name, the tool to call");
    }
    JsonNode arguments = params.path("arguments");
    if (arguments.isMissingNode() || arguments.isNull()) {
      arguments = JsonNodeFactory.instance.objectNode();
    }
    JsonNode meta = params.path("_meta");
    String traceparent = meta.path("traceparent").isString() ? meta.path("traceparent").asString() : traceHeader;
    JsonNode key = meta.path(IDEMPOTENCY_META);
    if (!key.isMissingNode() && !(key.isString() && RestRoutes.IDEMPOTENCY_KEY.matcher(key.asString()).matches())) {
      return invalidParams(id, "params._meta." + IDEMPOTENCY_META + " must be 1 to 255 visible ASCII characters, not starting 'revert:'");
    }
    Invocation invocation =
        Invocation.received(
            UUID.randomUUID().toString(),
            TraceIds.choose(traceparent, null),
            String.valueOf(id),
            key.isMissingNode() ? null : key.asString(),
            agent,
            user,
            session.id(),
            "mcp",
            name.asString(),
            arguments,
            Map.of(),
            gateway.clock().instant());
    Outcome outcome = gateway.pipeline().run(invocation);
    return switch (outcome) {
      case Outcome.Completed done -> JSONRPCResponse.result(id, results.result(done));
      case Outcome.Denied d when d.kind() == dev.portcullis.invocation.DenialKind.UNKNOWN_TOOL ->
          JSONRPCResponse.error(
              id,
              new JSONRPCError(
                  ErrorCodes.INVALID_PARAMS,
                  "Unknown tool: " + name.asString(),
                  Map.of(
                      "type", ProblemType.UNKNOWN_TOOL.uri(),
                      "invocationId", invocation.invocationId(),
                      "traceId", invocation.traceId())));
      case Outcome.Denied d ->
          JSONRPCResponse.result(
              id,
              results.error(
                  d, OutcomeProblems.type(d.kind()).uri(), d.message(), d.reasons(),
                  switch (d.kind()) {
                    case INVALID_ARGUMENTS -> "violations";
                    case IDEMPOTENCY_KEY_REUSED, IDEMPOTENCY_KEY_IN_FLIGHT -> "invocations";
                    default -> "rules";
                  }));
      case Outcome.Failed f ->
          JSONRPCResponse.result(
              id, results.error(f, OutcomeProblems.type(f.kind()).uri(), f.detail(), List.of(), "reasons"));
      case Outcome.AwaitingApproval a ->
          JSONRPCResponse.result(id, results.awaiting(a));
    };
  }

  static JSONRPCResponse invalidParams(Object id, String message) {
    return JSONRPCResponse.error(id, new JSONRPCError(ErrorCodes.INVALID_PARAMS, message, null));
  }
}
