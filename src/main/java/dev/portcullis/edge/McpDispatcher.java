package dev.portcullis.edge;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Channel;
import dev.portcullis.invocation.IdempotencyKeys;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationIds;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.UserRef;
import dev.portcullis.pipeline.ToolSummary;
import dev.portcullis.service.ApprovalRefusal;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Answers the JSON-RPC methods of an MCP session, or of a stateless request (protocol 2026-07-28,
 * {@code sessionId} null): {@code ping}, {@code tools/list} (only the tools this agent may call)
 * and {@code tools/call} (through the pipeline). Every other method is "method not found": this
 * server declares the tools capability only. A {@code tools/call} whose {@code params._meta} has
 * {@code portcullis/idempotencyKey} is idempotent as the REST door's {@code Idempotency-Key} makes
 * it.
 *
 * <p>A call parked for approval is held open up to {@code mcpWait} for the decision (see {@link
 * McpWaits}): decided in time, it answers as any call would (the executed, filtered result, or
 * {@code isError}); otherwise a pending result with the handle for {@code portcullis_outcome}, the
 * built-in tool listed for every agent (see {@link McpOutcomeTool}). While it waits, a client that
 * sent {@code _meta.progressToken} (and accepts an event stream) gets {@code
 * notifications/progress}. A stateless request that declares the tasks extension is not held: its
 * parked call answers at once as a task ({@link McpTasks}).
 */
final class McpDispatcher {
  /**
   * The {@code _meta} member of {@code tools/call} params that carries an idempotency key (MCP has
   * no header for it).
   */
  static final String IDEMPOTENCY_META = "portcullis/idempotencyKey";

  private static final Logger LOG = LoggerFactory.getLogger(McpDispatcher.class);

  private final Gateway gateway;
  private final McpToolResults results;
  private final McpWaits waits;
  private final McpOutcomeTool outcomeTool;
  private final McpTasks tasks;
  private final Duration mcpWait;

  McpDispatcher(Gateway gateway, McpWaits waits, Duration mcpWait, McpTaskIds taskIds) {
    this.gateway = gateway;
    this.results = new McpToolResults(gateway.json());
    this.waits = waits;
    this.mcpWait = mcpWait;
    this.outcomeTool = new McpOutcomeTool(gateway.invocations(), waits, results, mcpWait);
    this.tasks = new McpTasks(gateway.invocations(), gateway.approvals(), taskIds, results);
  }

  /** The tasks extension's methods, for the stateless revision. */
  McpTasks tasks() {
    return tasks;
  }

  /**
   * {@link #dispatch(Object, String, JsonNode, AgentRef, UserRef, String, String, McpReply,
   * boolean)} without tasks.
   */
  JSONRPCResponse dispatch(
      Object id,
      String method,
      JsonNode params,
      AgentRef agent,
      UserRef user,
      String sessionId,
      String traceHeader,
      McpReply reply) {
    return dispatch(id, method, params, agent, user, sessionId, traceHeader, reply, false);
  }

  /**
   * Answers one request; {@code asTask}: the request declared the tasks extension, so a call parked
   * for approval answers at once with its task instead of waiting (see {@link McpTasks}).
   */
  JSONRPCResponse dispatch(
      Object id,
      String method,
      JsonNode params,
      AgentRef agent,
      UserRef user,
      String sessionId,
      String traceHeader,
      McpReply reply,
      boolean asTask) {
    return switch (method) {
      case "ping" -> JSONRPCResponse.result(id, Map.of());
      case "tools/list" ->
          JSONRPCResponse.result(id, new McpSchema.ListToolsResult(tools(agent, user), null, null));
      case "tools/call" -> call(id, params, agent, user, sessionId, traceHeader, reply, asTask);
      default ->
          JSONRPCResponse.error(
              id,
              new JSONRPCError(ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + method, null));
    };
  }

  /**
   * The governed tools this agent (and user) may call, then the built-in {@code
   * portcullis_outcome}.
   */
  List<McpSchema.Tool> tools(AgentRef agent, UserRef user) {
    List<McpSchema.Tool> tools = new ArrayList<>();
    gateway.tools().visibleTo(agent, user).forEach(t -> tools.add(tool(t)));
    tools.add(outcomeTool.descriptor());
    return tools;
  }

  @SuppressWarnings("unchecked")
  private McpSchema.Tool tool(ToolSummary t) {
    Map<String, Object> schema = gateway.json().convertValue(t.inputSchema(), Map.class);
    McpSchema.ToolAnnotations annotations =
        new McpSchema.ToolAnnotations(
            t.title(), t.risk().equals("read"), t.risk().equals("write"), null, null, null);
    return new McpSchema.Tool(
        t.name(), t.title(), t.description(), schema, null, annotations, null, null);
  }

  private JSONRPCResponse call(
      Object id,
      JsonNode params,
      AgentRef agent,
      UserRef user,
      String sessionId,
      String traceHeader,
      McpReply reply,
      boolean asTask) {
    JsonNode name = params.path("name");
    if (!name.isString() || name.asString().isEmpty()) {
      return invalidParams(id, "tools/call needs params.name, the tool to call");
    }
    if (!ToolNames.plausible(name.asString())) {
      // No tool can have this name: refused as unknown here, so nothing of it is stored.
      return JSONRPCResponse.error(
          id,
          new JSONRPCError(
              ErrorCodes.INVALID_PARAMS,
              "Unknown tool: " + ToolNames.excerpt(name.asString()),
              Map.of("type", ProblemType.UNKNOWN_TOOL.uri())));
    }
    JsonNode arguments = params.path("arguments");
    if (arguments.isMissingNode() || arguments.isNull()) {
      arguments = JsonNodeFactory.instance.objectNode();
    }
    List<String> shape = gateway.arguments().violations(arguments);
    if (!shape.isEmpty()) {
      // Over the limits for any tool: refused before the call is stored, as a malformed request is.
      return JSONRPCResponse.error(
          id,
          new JSONRPCError(
              ErrorCodes.INVALID_PARAMS,
              "params.arguments: " + String.join("; ", shape),
              Map.of("type", ProblemType.INVALID_ARGUMENTS.uri(), "violations", shape)));
    }
    JsonNode meta = params.path("_meta");
    JsonNode token = meta.path("progressToken");
    if (!token.isMissingNode() && !(token.isString() || token.isIntegralNumber())) {
      return invalidParams(id, "params._meta.progressToken must be a string or an integer");
    }
    if (name.asString().equals(McpOutcomeTool.NAME)) {
      String asked = arguments.path("invocationId").asString("");
      return JSONRPCResponse.result(
          id,
          outcomeTool.call(
              arguments,
              agent,
              user,
              progress(
                  token, reply, n -> "invocation " + asked + " has not ended; still waiting")));
    }
    String traceparent =
        meta.path("traceparent").isString() ? meta.path("traceparent").asString() : traceHeader;
    JsonNode key = meta.path(IDEMPOTENCY_META);
    if (!key.isMissingNode() && !(key.isString() && IdempotencyKeys.agentMaySend(key.asString()))) {
      return invalidParams(
          id, "params._meta." + IDEMPOTENCY_META + " must be " + IdempotencyKeys.RULE);
    }
    Invocation invocation =
        Invocation.received(
            InvocationIds.next(gateway.clock().instant()),
            TraceIds.choose(traceparent, null),
            String.valueOf(id),
            key.isMissingNode() ? null : key.asString(),
            agent,
            user,
            sessionId,
            Channel.MCP.wireName(),
            name.asString(),
            arguments,
            Map.of(),
            gateway.clock().instant());
    Outcome outcome = gateway.pipeline().run(invocation);
    if (outcome instanceof Outcome.AwaitingApproval parked && asTask) {
      // Parked durably by the pipeline before it returned: the task exists, and a person may take
      // minutes, so the client follows it with tasks/get instead of holding a connection open.
      return JSONRPCResponse.result(id, tasks.created(parked));
    }
    if (outcome instanceof Outcome.AwaitingApproval parked && mcpWait.isPositive()) {
      return JSONRPCResponse.result(id, awaitDecision(parked, token, reply));
    }
    return switch (outcome) {
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
      default -> JSONRPCResponse.result(id, results.of(outcome));
    };
  }

  /**
   * Holds a parked call open up to {@code mcpWait}: its outcome if it is decided in time, exactly
   * as an unparked call would answer; otherwise the pending result with its handle.
   */
  private McpSchema.CallToolResult awaitDecision(
      Outcome.AwaitingApproval parked, JsonNode token, McpReply reply) {
    String invocationId = parked.invocation().invocationId();
    // The deadline is read only for a client that gets progress notices, and only once.
    String deadline =
        token.isMissingNode() || !reply.canStream() ? null : deadline(parked.approvalId());
    McpWaits.Progress progress =
        progress(
            token,
            reply,
            n ->
                "awaiting approval "
                    + parked.approvalId()
                    + (deadline == null ? "" : "; deadline " + deadline));
    Optional<StoredInvocation> now = waits.await(invocationId, mcpWait, progress);
    if (now.isPresent() && McpWaits.settled(now.get().state())) {
      return results.of(now.get(), parked.approvalId());
    }
    LOG.debug(
        "invocation {} still awaits approval {} after the MCP wait; answering pending",
        invocationId,
        parked.approvalId());
    return results.of(parked);
  }

  /** The approval's deadline for the progress message, or null when it cannot be read. */
  private String deadline(String approvalId) {
    try {
      return gateway.approvals().deadline(approvalId).map(Object::toString).orElse(null);
    } catch (ApprovalRefusal e) {
      return null;
    }
  }

  /**
   * Progress notices for a call whose client sent {@code _meta.progressToken} and accepts an event
   * stream; null otherwise (the call waits without them).
   */
  private McpWaits.Progress progress(JsonNode token, McpReply reply, IntFunction<String> message) {
    if (token.isMissingNode() || !reply.canStream()) {
      return null;
    }
    Object tokenValue = token.isString() ? token.asString() : token.asLong();
    return n ->
        reply.notify(
            new McpSchema.JSONRPCNotification(
                McpSchema.JSONRPC_VERSION,
                McpSchema.METHOD_NOTIFICATION_PROGRESS,
                progressParams(tokenValue, n, message.apply(n))));
  }

  private static Map<String, Object> progressParams(Object token, int n, String message) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("progressToken", token);
    params.put("progress", n);
    params.put("message", message);
    return params;
  }

  static JSONRPCResponse invalidParams(Object id, String message) {
    return JSONRPCResponse.error(id, new JSONRPCError(ErrorCodes.INVALID_PARAMS, message, null));
  }
}
