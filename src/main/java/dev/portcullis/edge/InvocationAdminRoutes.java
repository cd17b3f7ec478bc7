package dev.portcullis.edge;

import dev.portcullis.invocation.BeforeState;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.service.InvocationAdmin;
import dev.portcullis.service.Reverts;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The operators' invocation API, for approvers only: {@code GET /v1/invocations?state=S} (default
 * {@code needs-reconciliation}), {@code POST /v1/invocations/{id}:settle} with {@code {"as":
 * "completed|failed|cancelled", "reason": "…"}}, and {@code POST /v1/invocations/{id}:revert}. An
 * approver's key on {@code GET /v1/invocations/{id}} gets the operator's view ({@link
 * InvocationRoutes} serves agents there). Every refusal is an RFC 9457 problem.
 *
 * <p>Security: only a configured approver's key or operator token is accepted; an agent's
 * credential, or a delegating user's token, gets 403, so no agent can settle or revert a call, its
 * own included. An operator sees and acts on the calls of their tenants only; any other answers as
 * an unknown id (404). The operator's view shows arguments and before-states in full: they are the
 * operator's evidence.
 */
final class InvocationAdminRoutes {
  static final String PATH = "/v1/invocations";
  private static final String SETTLE = ":settle";
  private static final String REVERT = ":revert";
  private static final int MAX_REASON = 1000;

  private final Gateway gateway;
  private final Guard guard;
  private final RequestBodies bodies;

  InvocationAdminRoutes(Gateway gateway, Guard guard, RequestBodies bodies) {
    this.gateway = gateway;
    this.guard = guard;
    this.bodies = bodies;
  }

  void register(RoutesConfig routes) {
    routes.get(PATH, this::list);
    routes.post(PATH + "/{idAction}", this::act);
  }

  private void list(Context ctx) {
    OperatorRef operator = guard.approver(ctx, gateway.approvers());
    String wanted = ctx.queryParam("state");
    List<StoredInvocation> found =
        OperatorRequests.listing(
            () ->
                call(
                    () ->
                        gateway
                            .admin()
                            .list(wanted == null ? "needs-reconciliation" : wanted, operator)));
    Responses.json(
        ctx,
        gateway.json(),
        200,
        Map.of("invocations", found.stream().map(s -> view(s, null)).toList()));
  }

  /** The operator's view of one call: {@code GET /v1/invocations/{id}} with an approver's key. */
  void show(Context ctx, String id, OperatorRef operator) {
    InvocationAdmin.View v = call(() -> gateway.admin().show(id, operator));
    Responses.json(ctx, gateway.json(), 200, view(v.invocation(), v.before().orElse(null)));
  }

  private void act(Context ctx) {
    OperatorRequests.Action action =
        OperatorRequests.action(
            ctx,
            REVERT,
            SETTLE,
            "use POST /v1/invocations/{id}:settle or POST /v1/invocations/{id}:revert");
    OperatorRef operator = guard.approver(ctx, gateway.approvers());
    String id = action.id();
    if (action.first()) {
      Reverts.Reverted r = call(() -> gateway.admin().revert(id, operator));
      Responses.json(ctx, gateway.json(), 200, reverted(id, operator.id(), r.compensation()));
      return;
    }
    JsonNode body = bodies.readObject(ctx);
    JsonNode as = body.path("as");
    if (!as.isString() || !List.of("completed", "failed", "cancelled").contains(as.asString())) {
      throw new EdgeRejection(
          Problem.of(
              ProblemType.MALFORMED_REQUEST,
              "say what happened upstream: {\"as\": \"completed\" | \"failed\" | \"cancelled\", \"reason\": \"…\"}"));
    }
    String reason =
        OperatorRequests.requiredReason(
            body,
            MAX_REASON,
            "a settlement needs a reason: {\"reason\": \"…\"}, 1 to "
                + MAX_REASON
                + " characters, saying what you"
                + " found in the system behind the tool");
    StoredInvocation settled =
        call(() -> gateway.admin().settle(id, as.asString(), reason, operator));
    Responses.json(ctx, gateway.json(), 200, view(settled, null));
  }

  private static Map<String, Object> reverted(String id, String operator, Outcome outcome) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("invocationId", id);
    body.put("revertedBy", operator);
    body.put("revertInvocationId", outcome.invocation().invocationId());
    body.put("tool", outcome.invocation().toolName());
    OperatorRequests.putOutcome(body, outcome, true);
    return body;
  }

  private static Map<String, Object> view(StoredInvocation s, BeforeState before) {
    Map<String, Object> body = InvocationRoutes.body(s);
    Invocation inv = s.invocation();
    body.put("agent", inv.agent().id());
    body.put("tenant", inv.tenant());
    OperatorRequests.putUser(body, inv);
    body.put("channel", inv.channel());
    body.put("arguments", inv.arguments());
    if (before != null) {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("tool", before.readTool());
      b.put("arguments", before.readArguments());
      b.put("state", before.state());
      b.put("digest", before.digest());
      b.put("capturedAt", before.capturedAt().toString());
      body.put("before", b);
    }
    return body;
  }

  private interface Action<T> {
    T run() throws InvocationAdmin.Refusal;
  }

  private static <T> T call(Action<T> action) {
    try {
      return action.run();
    } catch (InvocationAdmin.Refusal r) {
      ProblemType type =
          switch (r.kind()) {
            case NOT_FOUND -> ProblemType.NOT_FOUND;
            case NOT_RECONCILABLE -> ProblemType.INVOCATION_NOT_RECONCILABLE;
            case NOT_COMPLETED -> ProblemType.INVOCATION_NOT_COMPLETED;
            case NO_COMPENSATION -> ProblemType.NO_COMPENSATION;
            case COMPENSATION_INCOMPLETE -> ProblemType.COMPENSATION_INCOMPLETE;
            case UNAVAILABLE -> ProblemType.STORE_UNAVAILABLE;
          };
      throw new EdgeRejection(Problem.of(type, r.getMessage()));
    }
  }
}
