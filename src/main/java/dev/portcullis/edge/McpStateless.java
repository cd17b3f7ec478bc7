package dev.portcullis.edge;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.UserRef;
import io.javalin.http.Context;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stateless MCP revision (2026-07-28) on the same {@code /mcp} endpoint as the session-based
 * ones: no {@code initialize}, no session; every request carries its protocol version in {@code
 * params._meta} and in the {@code MCP-Protocol-Version} header, its method in {@code Mcp-Method}
 * and, for {@code tools/call}, its tool in {@code Mcp-Name} (for {@code tasks/*}, the task id). The
 * tasks extension's methods ({@link McpTasks}) are served here only. A request is served here when
 * its {@code _meta} names a protocol version, or its header names a stateless one ({@link
 * #isModern}); anything else, {@code initialize} first of all, stays on the session path.
 *
 * <p>Security: the headers must match the body (400, {@code HeaderMismatch}), so that a proxy that
 * routes or limits on the headers and this gateway, which acts on the body, see one request. An
 * {@code Mcp-Session-Id} is ignored, as the revision asks. Everything else is the road every call
 * takes: the agent is authenticated before this class is reached, and {@code tools/call} goes
 * through the same dispatcher (catalog, schema, policy, approvals, ledger) as a session's call.
 */
final class McpStateless {
  /** The stateless revisions served. */
  static final List<String> VERSIONS = List.of("2026-07-28");

  static final String PROTOCOL_VERSION_META = "io.modelcontextprotocol/protocolVersion";
  static final String SERVER_INFO_META = "io.modelcontextprotocol/serverInfo";

  /** The revision's codes, from the range the specification reserves for itself. */
  static final int HEADER_MISMATCH = -32020;

  static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

  private static final String VERSION_HEADER = "MCP-Protocol-Version";
  private static final String METHOD_HEADER = "Mcp-Method";
  private static final String NAME_HEADER = "Mcp-Name";

  private final McpDispatcher dispatcher;
  private final Guard guard;
  private final Gateway gateway;
  private final Map<String, Object> serverInfo;
  private final String instructions;

  McpStateless(
      McpDispatcher dispatcher,
      Guard guard,
      Gateway gateway,
      String serverVersion,
      String instructions) {
    this.dispatcher = dispatcher;
    this.guard = guard;
    this.gateway = gateway;
    this.serverInfo = Map.of("name", "portcullis", "title", "Portcullis", "version", serverVersion);
    this.instructions = instructions;
  }

  /** Whether a request (not {@code initialize}) is one of the stateless revision. */
  static boolean isModern(JsonNode params, String versionHeader) {
    return params.path("_meta").has(PROTOCOL_VERSION_META)
        || (versionHeader != null && VERSIONS.contains(versionHeader.strip()));
  }

  /** Every protocol version this endpoint speaks, newest first. */
  static List<String> allVersions() {
    List<String> all = new java.util.ArrayList<>(VERSIONS);
    all.addAll(McpRoutes.VERSIONS);
    return List.copyOf(all);
  }

  /** Answers one stateless request. */
  void handle(Context ctx, Object id, String method, JsonNode params, AgentRef agent) {
    JsonNode requested = params.path("_meta").path(PROTOCOL_VERSION_META);
    if (!requested.isString()) {
      answer(
          ctx,
          400,
          error(
              id,
              HEADER_MISMATCH,
              "params._meta."
                  + PROTOCOL_VERSION_META
                  + " must name the protocol version, as the MCP-Protocol-Version header does",
              null));
      return;
    }
    String version = requested.asString();
    if (!VERSIONS.contains(version)) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("supported", allVersions());
      data.put("requested", version.length() > 64 ? version.substring(0, 64) : version);
      answer(
          ctx, 400, error(id, UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version", data));
      return;
    }
    String mismatch = headerMismatch(ctx, version, method, params);
    if (mismatch != null) {
      answer(ctx, 400, error(id, HEADER_MISMATCH, "Header mismatch: " + mismatch, null));
      return;
    }
    switch (method) {
      case "server/discover" -> answer(ctx, 200, JSONRPCResponse.result(id, discover()));
      case "tools/list", "tools/call" -> {
        UserRef user = guard.delegatingUser(ctx, agent).orElse(null);
        McpReply reply = new McpReply(ctx, gateway.json());
        JSONRPCResponse response =
            dispatcher.dispatch(
                id,
                method,
                params,
                agent,
                user,
                null,
                ctx.header("traceparent"),
                reply,
                McpTasks.declared(params));
        reply.answer(200, complete(response, method.equals("tools/list")));
      }
      case "tasks/get", "tasks/cancel", "tasks/update" -> {
        if (!McpTasks.declared(params)) {
          answer(ctx, 200, JSONRPCResponse.error(id, McpTasks.missingCapability()));
          return;
        }
        UserRef user = guard.delegatingUser(ctx, agent).orElse(null);
        McpTasks tasks = dispatcher.tasks();
        JSONRPCResponse response =
            switch (method) {
              case "tasks/get" -> tasks.get(id, params, agent, user);
              case "tasks/cancel" -> tasks.cancel(id, params, agent, user);
              default -> tasks.update(id, params, agent, user);
            };
        answer(ctx, 200, complete(response, false));
      }
      default ->
          answer(
              ctx,
              404,
              error(id, ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + method, null));
    }
  }

  /**
   * Why the standard headers do not match the body, or null when they do: {@code
   * MCP-Protocol-Version} and {@code Mcp-Method} on every request, {@code Mcp-Name} on {@code
   * tools/call} (decoded when it is in the {@code =?base64?…?=} form).
   */
  private static String headerMismatch(
      Context ctx, String version, String method, JsonNode params) {
    String versionHeader = ctx.header(VERSION_HEADER);
    if (versionHeader == null || !versionHeader.strip().equals(version)) {
      return VERSION_HEADER + " header must be " + version + ", the version in params._meta";
    }
    String methodHeader = ctx.header(METHOD_HEADER);
    if (methodHeader == null || !methodHeader.strip().equals(method)) {
      return METHOD_HEADER + " header must be the request's method";
    }
    if (method.equals("tools/call")) {
      String name = decode(ctx.header(NAME_HEADER));
      JsonNode bodyName = params.path("name");
      if (name == null || !bodyName.isString() || !name.equals(bodyName.asString())) {
        return NAME_HEADER + " header must be params.name, the tool called";
      }
    }
    if (method.startsWith("tasks/")) {
      String name = decode(ctx.header(NAME_HEADER));
      JsonNode taskId = params.path("taskId");
      if (name == null || !taskId.isString() || !name.equals(taskId.asString())) {
        return NAME_HEADER + " header must be params.taskId, the task named";
      }
    }
    return null;
  }

  /** A header value as sent, or decoded from {@code =?base64?…?=}; null if absent or not UTF-8. */
  static String decode(String header) {
    if (header == null) {
      return null;
    }
    String value = header.strip();
    if (value.length() >= 11 && value.startsWith("=?base64?") && value.endsWith("?=")) {
      try {
        byte[] bytes = Base64.getDecoder().decode(value.substring(9, value.length() - 2));
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(java.nio.ByteBuffer.wrap(bytes))
            .toString();
      } catch (IllegalArgumentException | CharacterCodingException e) {
        return null;
      }
    }
    return value;
  }

  private Map<String, Object> discover() {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("resultType", "complete");
    result.put("supportedVersions", allVersions());
    result.put(
        "capabilities",
        Map.of("tools", Map.of(), "extensions", Map.of(McpTasks.EXTENSION, Map.of())));
    result.put("instructions", instructions);
    result.put("ttlMs", 0);
    result.put("cacheScope", "private");
    result.put("_meta", Map.of(SERVER_INFO_META, serverInfo));
    return result;
  }

  /**
   * A result as the revision needs it: {@code resultType} ({@code "task"} when the call answered
   * with a task, else {@code "complete"}), the server's identity in {@code _meta} and, for a list,
   * its caching hints (private and at once stale: what an agent may see changes with policy and
   * tool approvals). A completed task's {@code result} is the tool call's result exactly as it
   * would have been answered, so it is completed the same way. Errors pass unchanged.
   */
  private JSONRPCResponse complete(JSONRPCResponse response, boolean list) {
    if (response.result() == null) {
      return response;
    }
    ObjectNode result = gateway.json().valueToTree(response.result());
    if (result.path("status").asString("").equals("completed")
        && result.path("result").isObject()) {
      completeResult((ObjectNode) result.path("result"));
    }
    completeResult(result);
    if (list) {
      result.put("ttlMs", 0);
      result.put("cacheScope", "private");
    }
    return JSONRPCResponse.result(response.id(), result);
  }

  private void completeResult(ObjectNode result) {
    if (!result.path("resultType").asString("").equals("task")) {
      result.put("resultType", "complete");
    }
    JsonNode meta = result.path("_meta");
    ObjectNode newMeta = meta.isObject() ? (ObjectNode) meta : result.putObject("_meta");
    newMeta.set(SERVER_INFO_META, gateway.json().valueToTree(serverInfo));
  }

  private static JSONRPCResponse error(Object id, int code, String message, Object data) {
    return JSONRPCResponse.error(id, new JSONRPCError(code, message, data));
  }

  private void answer(Context ctx, int status, Object response) {
    Responses.json(ctx, gateway.json(), status, response);
  }
}
