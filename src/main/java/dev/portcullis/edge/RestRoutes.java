package dev.portcullis.edge;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Channel;
import dev.portcullis.invocation.IdempotencyKeys;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationIds;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.UserRef;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The REST door: {@code POST /v1/tools/{tool}:invoke} with the invocation envelope {@code
 * {"requestId", "actor": {"userId", "channel", "sessionId"}, "arguments", "policyContext"}}.
 * Answers 200 with the result, 202 when the call awaits a person's approval (its {@code approvalId}
 * in the body), or an RFC 9457 problem; in every case {@code Location} names the invocation ({@code
 * GET /v1/invocations/{id}}). An {@code Idempotency-Key} makes a retry safe: the same request with
 * the same key gets the first call's outcome again ({@code Idempotent-Replayed: true}) and runs
 * nothing.
 */
final class RestRoutes {
  private static final String SUFFIX = ":invoke";

  private final Gateway gateway;
  private final Guard guard;
  private final RequestBodies bodies;

  RestRoutes(Gateway gateway, Guard guard, RequestBodies bodies) {
    this.gateway = gateway;
    this.guard = guard;
    this.bodies = bodies;
  }

  void register(RoutesConfig routes) {
    routes.post("/v1/tools/{toolAction}", this::invoke);
  }

  private void invoke(Context ctx) {
    String action = ctx.pathParam("toolAction");
    if (!action.endsWith(SUFFIX) || action.length() == SUFFIX.length()) {
      throw new EdgeRejection(
          Problem.of(ProblemType.NOT_FOUND, "use POST /v1/tools/{tool}:invoke"));
    }
    String toolName = action.substring(0, action.length() - SUFFIX.length());
    AgentRef agent = guard.authenticate(ctx);
    Optional<UserRef> verified = guard.delegatingUser(ctx, agent);
    if (!ToolNames.plausible(toolName)) {
      // No tool can have this name: refused as unknown here, so nothing of it is stored.
      throw new EdgeRejection(
          Problem.of(
              ProblemType.UNKNOWN_TOOL,
              "unknown tool '"
                  + ToolNames.excerpt(toolName)
                  + "': list the tools you may call with tools/list"));
    }
    JsonNode body = bodies.readObject(ctx);
    Envelope envelope = Envelope.parse(body);
    List<String> shape = gateway.arguments().violations(envelope.arguments());
    if (!shape.isEmpty()) {
      // Over the limits for any tool: refused before the call is stored, as a malformed request is.
      throw new EdgeRejection(
          Problem.of(ProblemType.INVALID_ARGUMENTS, "the arguments are over the gateway's limits")
              .with("violations", shape));
    }
    if (verified.isPresent()
        && envelope.userId() != null
        && !envelope.userId().equals(verified.get().id())) {
      throw new EdgeRejection(
          Problem.of(
              ProblemType.MALFORMED_REQUEST,
              "actor.userId does not match the user token; omit it, the token names the user"));
    }
    UserRef user =
        verified.orElse(envelope.userId() == null ? null : UserRef.asserted(envelope.userId()));
    String idempotencyKey = ctx.header("Idempotency-Key");
    if (idempotencyKey != null && !IdempotencyKeys.agentMaySend(idempotencyKey)) {
      throw new EdgeRejection(
          Problem.of(
              ProblemType.MALFORMED_REQUEST, "Idempotency-Key must be " + IdempotencyKeys.RULE));
    }
    Invocation invocation =
        Invocation.received(
            InvocationIds.next(gateway.clock().instant()),
            TraceIds.choose(ctx.header("traceparent"), ctx.header("X-Trace-Id")),
            envelope.requestId(),
            idempotencyKey,
            agent,
            user,
            envelope.sessionId(),
            Channel.REST.wireName(),
            toolName,
            envelope.arguments(),
            envelope.policyContext(),
            gateway.clock().instant());
    Outcome outcome = gateway.pipeline().run(invocation);
    // On an idempotent replay the outcome is the first call's: its id is the one to look up.
    String id = outcome.invocation().invocationId();
    ctx.header("X-Invocation-Id", id);
    ctx.header("X-Trace-Id", invocation.traceId());
    ctx.header("Location", InvocationRoutes.PATH + id);
    if (!id.equals(invocation.invocationId())) {
      ctx.header("Idempotent-Replayed", "true");
    }
    if (outcome instanceof Outcome.Completed done) {
      Responses.json(ctx, gateway.json(), 200, success(done));
    } else if (outcome instanceof Outcome.AwaitingApproval parked) {
      Responses.json(ctx, gateway.json(), 202, parked(parked));
    } else {
      Responses.problem(ctx, gateway.json(), OutcomeProblems.of(outcome), Map.of());
    }
  }

  /** A parked call: 202, its approval id, and where to ask for its state ({@code Location}). */
  private static Map<String, Object> parked(Outcome.AwaitingApproval parked) {
    Invocation inv = parked.invocation();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("invocationId", inv.invocationId());
    body.put("traceId", inv.traceId());
    body.put("state", InvocationState.AWAITING_APPROVAL.wireName());
    body.put("approvalId", parked.approvalId());
    body.put("rules", inv.decision().ruleIds());
    body.put(
        "detail",
        "the call awaits a person's approval; GET "
            + InvocationRoutes.PATH
            + inv.invocationId()
            + " for its state and outcome");
    return body;
  }

  private static Map<String, Object> success(Outcome.Completed done) {
    Invocation inv = done.invocation();
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("name", inv.tool().name());
    tool.put("version", inv.tool().version());
    tool.put("descriptorHash", inv.tool().descriptorHash());
    Map<String, Object> decision = new LinkedHashMap<>();
    decision.put("effect", inv.decision().effect().wireName());
    decision.put("rules", inv.decision().ruleIds());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("invocationId", inv.invocationId());
    body.put("traceId", inv.traceId());
    body.put("state", InvocationState.COMPLETED.wireName());
    body.put("tool", tool);
    body.put("decision", decision);
    body.put("result", done.result());
    return body;
  }
}
