package dev.portcullis.edge;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.UserRef;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The MCP door: streamable HTTP at {@code /mcp}. A thin edge of our own over the MCP SDK's schema
 * types, so that {@code tools/list} can differ per calling agent and every call takes the one road.
 * Both eras on one endpoint, chosen per request: {@code initialize} and a session for 2025-11-25
 * and earlier; a request whose {@code _meta} names its version is stateless 2026-07-28 ({@link
 * McpStateless}).
 *
 * <p>Liberal in what it accepts, as the specification asks: a missing {@code MCP-Protocol-Version}
 * means the negotiated one; {@code Accept} may be absent or list types in any spacing; {@code
 * Content-Type} may carry parameters. POST answers are {@code application/json} (allowed by the
 * transport), except a {@code tools/call} that sends progress notifications while it waits for an
 * approval, which answers with an event stream ({@link McpReply}); {@code GET} answers 405 (no
 * server-initiated stream); {@code DELETE} ends the session. Every request carries the agent's key;
 * a session only works with the key of the agent that opened it.
 */
final class McpRoutes {
  static final List<String> VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26");
  private static final String SESSION_HEADER = "Mcp-Session-Id";
  private static final String VERSION_HEADER = "MCP-Protocol-Version";

  /**
   * The longest string id accepted: ids are echoed and recorded, so they are bounded before either.
   */
  static final int MAX_ID = 256;

  /** JSON-RPC's "server error" range; {@code data.type} says which. */
  private static final int SERVER_ERROR = -32000;

  private final Gateway gateway;
  private final Guard guard;
  private final RequestBodies bodies;
  private final McpSessions sessions;
  private final McpDispatcher dispatcher;
  private final McpStateless stateless;
  private final EdgeSettings settings;

  private static final String INSTRUCTIONS =
      "Portcullis governs these tools: every call is authenticated, checked against policy and"
          + " recorded. A refused call returns isError with the reason.";

  McpRoutes(
      Gateway gateway,
      Guard guard,
      RequestBodies bodies,
      McpSessions sessions,
      EdgeSettings settings,
      McpWaits waits,
      McpTaskIds taskIds) {
    this.gateway = gateway;
    this.guard = guard;
    this.bodies = bodies;
    this.sessions = sessions;
    this.settings = settings;
    this.dispatcher = new McpDispatcher(gateway, waits, settings.mcpWait(), taskIds);
    this.stateless =
        new McpStateless(dispatcher, guard, gateway, settings.serverVersion(), INSTRUCTIONS);
  }

  void register(RoutesConfig routes) {
    routes.post("/mcp", this::post);
    routes.get("/mcp", this::get);
    routes.delete("/mcp", this::delete);
  }

  private void post(Context ctx) {
    AgentRef agent = guard.authenticate(ctx);
    checkAccept(ctx);
    JsonNode message;
    try {
      message = bodies.read(ctx);
    } catch (EdgeRejection rejection) {
      if (rejection.problem().type() == ProblemType.MALFORMED_REQUEST) {
        rpc(
            ctx,
            400,
            new UnidentifiedError(
                new JSONRPCError(
                    ErrorCodes.PARSE_ERROR, "Parse error: " + rejection.problem().detail(), null)));
        return;
      }
      throw rejection;
    }
    if (message.isArray()) {
      rpc(ctx, 400, invalid(null, "JSON-RPC batches are not supported by this protocol version"));
      return;
    }
    JsonNode jsonrpc = message.path("jsonrpc");
    if (!message.isObject() || !jsonrpc.isString() || !"2.0".equals(jsonrpc.asString())) {
      rpc(
          ctx,
          400,
          invalid(null, "not a JSON-RPC 2.0 message: jsonrpc must be the string \"2.0\""));
      return;
    }
    JsonNode idNode = message.get("id");
    JsonNode method = message.get("method");
    boolean response = message.has("result") || message.has("error");
    if (method != null && response) {
      rpc(
          ctx,
          400,
          invalid(null, "a message is a request or a response: not method with result or error"));
      return;
    }
    if (method == null) {
      if (!response) {
        rpc(ctx, 400, invalid(null, "a request needs a method"));
        return;
      }
      ctx.status(202); // a response to us: accepted, nothing to answer
      return;
    }
    if (!method.isString()) {
      rpc(ctx, 400, invalid(null, "method must be a string"));
      return;
    }
    if (idNode == null) {
      ctx.status(202); // a notification: accepted, nothing to answer
      return;
    }
    Object id = id(idNode);
    if (id == null) {
      rpc(
          ctx,
          400,
          invalid(
              null,
              "id must be a string of at most "
                  + MAX_ID
                  + " characters or a 64-bit integer"
                  + " (not null)"));
      return;
    }
    JsonNode params = message.path("params");
    if (!params.isMissingNode() && !params.isObject()) {
      rpc(ctx, 200, McpDispatcher.invalidParams(id, "params must be an object"));
      return;
    }
    if (method.asString().equals("initialize")) {
      initialize(ctx, id, params, agent);
      return;
    }
    if (McpStateless.isModern(params, ctx.header(VERSION_HEADER))) {
      // A stateless (2026-07-28) request: read before any session is asked for.
      stateless.handle(ctx, id, method.asString(), params, agent);
      return;
    }
    String sessionId = ctx.header(SESSION_HEADER);
    if (sessionId == null) {
      rpc(ctx, 400, invalid(id, "missing Mcp-Session-Id header: call initialize first"));
      return;
    }
    var session = sessions.find(sessionId, agent.id());
    if (session.isEmpty()) {
      rpc(ctx, 404, invalid(id, "unknown or expired session: initialize a new one"));
      return;
    }
    String version = ctx.header(VERSION_HEADER);
    if (version != null && !VERSIONS.contains(version.strip())) {
      rpc(
          ctx,
          400,
          invalid(id, "unsupported MCP-Protocol-Version " + version + "; supported: " + VERSIONS));
      return;
    }
    UserRef user = guard.delegatingUser(ctx, agent).orElse(null);
    McpReply reply = new McpReply(ctx, gateway.json());
    reply.answer(
        200,
        dispatcher.dispatch(
            id,
            method.asString(),
            params,
            agent,
            user,
            session.get().id(),
            ctx.header("traceparent"),
            reply));
  }

  private void initialize(Context ctx, Object id, JsonNode params, AgentRef agent) {
    if (!params.path("protocolVersion").isString()
        || !params.path("capabilities").isObject()
        || !params.path("clientInfo").isObject()) {
      rpc(
          ctx,
          200,
          McpDispatcher.invalidParams(
              id,
              "initialize needs params with protocolVersion (a string), capabilities and clientInfo (objects)"));
      return;
    }
    String requested = params.path("protocolVersion").asString();
    String version = VERSIONS.contains(requested) ? requested : VERSIONS.getFirst();
    McpSessions.Session session;
    switch (sessions.open(agent.id(), version)) {
      case McpSessions.Opening.Opened(McpSessions.Session opened) -> session = opened;
      case McpSessions.Opening.Refused(boolean perAgent) -> {
        ProblemType type =
            perAgent ? ProblemType.TOO_MANY_SESSIONS : ProblemType.SESSIONS_EXHAUSTED;
        String message =
            perAgent
                ? "agent "
                    + agent.id()
                    + " holds as many MCP sessions as it may; close one (DELETE /mcp) or let one expire"
                : "the gateway holds as many MCP sessions as it may; retry later";
        ctx.header("Retry-After", "60");
        rpc(
            ctx,
            type.status(),
            JSONRPCResponse.error(
                id, new JSONRPCError(SERVER_ERROR, message, Map.of("type", type.uri()))));
        return;
      }
    }
    McpSchema.ServerCapabilities capabilities =
        McpSchema.ServerCapabilities.builder().tools(false).build();
    McpSchema.InitializeResult result =
        new McpSchema.InitializeResult(
            version,
            capabilities,
            McpSchema.Implementation.builder("portcullis", settings.serverVersion())
                .title("Portcullis")
                .build(),
            INSTRUCTIONS,
            null);
    ctx.header(SESSION_HEADER, session.id());
    rpc(ctx, 200, JSONRPCResponse.result(id, result));
  }

  private void get(Context ctx) {
    guard.authenticate(ctx);
    ctx.header("Allow", "POST, DELETE");
    throw new EdgeRejection(
        Problem.of(
            ProblemType.METHOD_NOT_ALLOWED,
            "this server offers no server-initiated stream; use POST"),
        Map.of("Allow", "POST, DELETE"));
  }

  private void delete(Context ctx) {
    AgentRef agent = guard.authenticate(ctx);
    String sessionId = ctx.header(SESSION_HEADER);
    if (sessionId == null || !sessions.close(sessionId, agent.id())) {
      throw new EdgeRejection(Problem.of(ProblemType.NOT_FOUND, "unknown or expired session"));
    }
    ctx.status(204);
  }

  private static void checkAccept(Context ctx) {
    String accept = ctx.header("Accept");
    if (accept == null) {
      return;
    }
    String a = accept.toLowerCase(Locale.ROOT);
    if (!(a.contains("application/json")
        || a.contains("*/*")
        || a.contains("application/*")
        || a.contains("text/event-stream"))) {
      throw new EdgeRejection(
          Problem.of(ProblemType.NOT_ACCEPTABLE, "accept application/json and text/event-stream"));
    }
  }

  /** Writes a {@link JSONRPCResponse}, or an {@link UnidentifiedError} when no id could be read. */
  private void rpc(Context ctx, int status, Object response) {
    Responses.json(ctx, gateway.json(), status, response);
  }

  /**
   * A request's id as JSON-RPC and MCP allow it: a string (bounded here, since it is echoed and
   * recorded) or an integer that fits 64 bits; null for anything else, null included.
   */
  private static Object id(JsonNode id) {
    if (id.isString()) {
      return id.asString().length() <= MAX_ID ? id.asString() : null;
    }
    return id.isInt() || id.isLong() ? (Object) id.asLong() : null;
  }

  private static Object invalid(Object id, String message) {
    JSONRPCError error = new JSONRPCError(ErrorCodes.INVALID_REQUEST, message, null);
    return id == null ? new UnidentifiedError(error) : JSONRPCResponse.error(id, error);
  }

  /**
   * The answer to a message whose id could not be read (unparsable, a batch, not JSON-RPC):
   * JSON-RPC 2.0 asks for {@code "id": null}, which the SDK's {@link JSONRPCResponse} refuses.
   */
  record UnidentifiedError(String jsonrpc, Object id, JSONRPCError error) {
    UnidentifiedError(JSONRPCError error) {
      this(McpSchema.JSONRPC_VERSION, null, error);
    }
  }
}
