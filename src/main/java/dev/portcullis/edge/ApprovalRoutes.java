package dev.portcullis.edge;

import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.pipeline.Approvals;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The approval API, for approvers only: {@code GET /v1/approvals?status=pending}, {@code GET
 * /v1/approvals/{id}}, {@code POST /v1/approvals/{id}:approve} and {@code POST
 * /v1/approvals/{id}:deny} with {@code {"reason": "…"}}. Every refusal is an RFC 9457 problem.
 *
 * <p>Security: only a configured approver's key is accepted; an agent's credential gets 403. An
 * approval takes nothing from the request body: it authorises the call exactly as stored.
 */
final class ApprovalRoutes {
  static final String PATH = "/v1/approvals";
  private static final String APPROVE = ":approve";
  private static final String DENY = ":deny";
  private static final int MAX_REASON = 1000;

  private final Gateway gateway;
  private final Guard guard;
  private final RequestBodies bodies;

  ApprovalRoutes(Gateway gateway, Guard guard, RequestBodies bodies) {
    this.gateway = gateway;
    this.guard = guard;
    this.bodies = bodies;
  }

  void register(RoutesConfig routes) {
    routes.get(PATH, this::list);
    routes.get(PATH + "/{id}", this::show);
    routes.post(PATH + "/{idAction}", this::decide);
  }

  private void list(Context ctx) {
    guard.approver(ctx, gateway.approvers());
    String wanted = ctx.queryParam("status");
    List<Approvals.View> views;
    try {
      views = call(() -> gateway.approvals().list(wanted == null ? "pending" : wanted));
    } catch (IllegalArgumentException e) {
      throw new EdgeRejection(Problem.of(ProblemType.MALFORMED_REQUEST, e.getMessage()));
    }
    Responses.json(ctx, gateway.json(), 200, Map.of("approvals", views.stream().map(ApprovalRoutes::body).toList()));
  }

  private void show(Context ctx) {
    guard.approver(ctx, gateway.approvers());
    String id = ctx.pathParam("id");
    Responses.json(ctx, gateway.json(), 200, body(call(() -> gateway.approvals().show(id))));
  }

  private void decide(Context ctx) {
    String action = ctx.pathParam("idAction");
    boolean approve = action.endsWith(APPROVE) && action.length() > APPROVE.length();
    boolean deny = action.endsWith(DENY) && action.length() > DENY.length();
    if (!approve && !deny) {
      throw new EdgeRejection(Problem.of(ProblemType.NOT_FOUND,
          "use POST /v1/approvals/{id}:approve or POST /v1/approvals/{id}:deny"));
    }
    String approver = guard.approver(ctx, gateway.approvers());
    String id = action.substring(0, action.length() - (approve ? APPROVE.length() : DENY.length()));
    Outcome outcome;
    if (approve) {
      outcome = call(() -> gateway.approvals().approve(id, approver));
    } else {
      JsonNode body = bodies.readObject(ctx);
      JsonNode reason = body.path("reason");
      if (!reason.isString() || reason.asString().isBlank() || reason.asString().length() > MAX_REASON) {
        throw new EdgeRejection(Problem.of(ProblemType.MALFORMED_REQUEST,
            "a denial needs a reason: {\"reason\": \"…\"}, 1 to " + MAX_REASON + " characters"));
      }
      outcome = call(() -> gateway.approvals().deny(id, approver, reason.asString().strip()));
    }
    Responses.json(ctx, gateway.json(), 200, decided(id, approver, approve, outcome));
  }

  private static Map<String, Object> decided(String id, String approver, boolean approved, Outcome outcome) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("approvalId", id);
    body.put("status", approved ? "approved" : "denied");
    body.put("decidedBy", approver);
    body.put("invocationId", outcome.invocation().invocationId());
    body.put("state", outcome.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    switch (outcome) {
      case Outcome.Completed c -> body.put("result", c.result());
      case Outcome.AwaitingApproval a -> { }
      default -> body.put("error", OutcomeProblems.of(outcome).body(null));
    }
    body.put("location", InvocationRoutes.PATH + outcome.invocation().invocationId());
    return body;
  }

  static Map<String, Object> body(Approvals.View v) {
    Invocation inv = v.invocation().invocation();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("approvalId", v.approvalId());
    body.put("status", v.status());
    body.put("invocationId", inv.invocationId());
    body.put("invocationState", InvocationRoutes.state(v.invocation()));
    body.put("tool", inv.toolName());
    body.put("agent", inv.agent().id());
    body.put("tenant", inv.tenant());
    if (inv.user() != null) {
      Map<String, Object> user = new LinkedHashMap<>();
      user.put("id", inv.user().id());
      user.put("verified", inv.user().verified());
      body.put("user", user);
    }
    body.put("arguments", inv.arguments());
    body.put("argumentsDigest", v.invocation().argumentsDigest());
    Decision d = inv.decision();
    if (d != null) {
      body.put("reasons", d.ruleIds());
      body.put("reason", d.reason());
      body.put("policyVersion", d.policyVersion());
    }
    body.put("createdAt", v.createdAt().toString());
    body.put("deadline", v.deadline().toString());
    if (v.decidedBy() != null) {
      body.put("decidedBy", v.decidedBy());
      body.put("decidedAt", v.decidedAt().toString());
    }
    if (v.reason() != null) {
      body.put("decisionReason", v.reason());
    }
    return body;
  }

  private interface Action<T> {
    T run() throws Approvals.Refusal;
  }

  private static <T> T call(Action<T> action) {
    try {
      return action.run();
    } catch (Approvals.Refusal r) {
      ProblemType type = switch (r.kind()) {
        case NOT_FOUND -> ProblemType.NOT_FOUND;
        case DECIDED -> ProblemType.APPROVAL_DECIDED;
        case EXPIRED -> ProblemType.APPROVAL_EXPIRED;
        case FOUR_EYES -> ProblemType.FOUR_EYES;
        case UNAVAILABLE -> ProblemType.STORE_UNAVAILABLE;
      };
      throw new EdgeRejection(Problem.of(type, r.getMessage()));
    }
  }
}
