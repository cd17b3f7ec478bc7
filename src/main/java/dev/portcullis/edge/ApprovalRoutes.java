package dev.portcullis.edge;

import dev.portcullis.invocation.ArgumentsEdit;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.service.ApprovalConsent;
import dev.portcullis.service.ApprovalRefusal;
import dev.portcullis.service.ApprovalResult;
import dev.portcullis.service.ApprovalView;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The approval API, for approvers only: {@code GET /v1/approvals?status=pending}, {@code GET
 * /v1/approvals/{id}}, {@code POST /v1/approvals/{id}:approve} with an optional body {@code
 * {"arguments": {…}, "reason": "…", "argumentsDigest": "…"}} and {@code POST
 * /v1/approvals/{id}:deny} with {@code {"reason": "…"}}. Every refusal is an RFC 9457 problem.
 *
 * <p>An approval is one approver's vote: 200 with how the call ended when it was the last vote the
 * request needed, 202 with the request (its votes and {@code remaining}) when more are needed.
 *
 * <p>Security: only a configured approver's key or operator token is accepted; an agent's
 * credential, or a delegating user's token, gets 403. An approver sees and decides only the
 * requests of their tenants; any other answers as an unknown id (404). An approval authorises the
 * call exactly as stored, or, with {@code arguments}, exactly as the approver edited it (validated
 * and decided again before anything is recorded).
 */
final class ApprovalRoutes {
  static final String PATH = "/v1/approvals";
  private static final String APPROVE = ":approve";
  private static final String DENY = ":deny";
  private static final int MAX_REASON = 1000;
  private static final Set<String> APPROVE_MEMBERS =
      Set.of("arguments", "reason", "argumentsDigest");

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
    OperatorRef operator = guard.approver(ctx, gateway.approvers());
    String wanted = ctx.queryParam("status");
    List<ApprovalView> views =
        OperatorRequests.listing(
            () ->
                call(
                    () -> gateway.approvals().list(wanted == null ? "pending" : wanted, operator)));
    Responses.json(
        ctx,
        gateway.json(),
        200,
        Map.of("approvals", views.stream().map(ApprovalRoutes::body).toList()));
  }

  private void show(Context ctx) {
    OperatorRef operator = guard.approver(ctx, gateway.approvers());
    String id = ctx.pathParam("id");
    Responses.json(
        ctx, gateway.json(), 200, body(call(() -> gateway.approvals().show(id, operator))));
  }

  private void decide(Context ctx) {
    OperatorRequests.Action action =
        OperatorRequests.action(
            ctx,
            APPROVE,
            DENY,
            "use POST /v1/approvals/{id}:approve or POST /v1/approvals/{id}:deny");
    OperatorRef approver = guard.approver(ctx, gateway.approvers());
    String id = action.id();
    if (action.first()) {
      ApprovalConsent consent = consent(ctx);
      switch (call(() -> gateway.approvals().approve(id, approver, consent))) {
        case ApprovalResult.Ended e ->
            Responses.json(
                ctx, gateway.json(), 200, decided(id, approver.id(), e.status(), e.outcome()));
        case ApprovalResult.Voted v -> {
          Map<String, Object> body = body(v.view());
          body.put(
              "detail",
              "approval recorded; "
                  + v.view().remaining()
                  + " more approval(s) by other approvers"
                  + " needed before the call runs");
          Responses.json(ctx, gateway.json(), 202, body);
        }
      }
      return;
    }
    String reason =
        OperatorRequests.requiredReason(
            bodies.readObject(ctx),
            MAX_REASON,
            "a denial needs a reason: {\"reason\": \"…\"}, 1 to " + MAX_REASON + " characters");
    Outcome outcome = call(() -> gateway.approvals().deny(id, approver, reason));
    Responses.json(ctx, gateway.json(), 200, decided(id, approver.id(), "denied", outcome));
  }

  /** The approval's optional body: none (or {@code {}}) approves the call as it stands. */
  private ApprovalConsent consent(Context ctx) {
    if (ctx.bodyAsBytes().length == 0) {
      return ApprovalConsent.PLAIN;
    }
    JsonNode body = bodies.readObject(ctx);
    for (String name : body.propertyNames()) {
      if (!APPROVE_MEMBERS.contains(name)) {
        throw new EdgeRejection(
            Problem.of(
                ProblemType.MALFORMED_REQUEST,
                "unknown member '"
                    + name
                    + "'; an approval takes {\"arguments\": {…}, \"reason\": \"…\", \"argumentsDigest\": \"…\"},"
                    + " each optional"));
      }
    }
    JsonNode arguments = body.get("arguments");
    if (arguments != null && !arguments.isObject()) {
      throw new EdgeRejection(
          Problem.of(
              ProblemType.MALFORMED_REQUEST,
              "'arguments' must be a JSON object: the tool's arguments as the approver edited them"));
    }
    return new ApprovalConsent(
        arguments,
        optionalText(body, "reason", MAX_REASON),
        optionalText(body, "argumentsDigest", 100));
  }

  private static String optionalText(JsonNode body, String name, int max) {
    JsonNode v = body.get(name);
    if (v == null) {
      return null;
    }
    if (!v.isString() || v.asString().isBlank() || v.asString().length() > max) {
      throw new EdgeRejection(
          Problem.of(
              ProblemType.MALFORMED_REQUEST,
              "'" + name + "' must be a string of 1 to " + max + " characters"));
    }
    return v.asString().strip();
  }

  private static Map<String, Object> decided(
      String id, String approver, String status, Outcome outcome) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("approvalId", id);
    body.put("status", status);
    body.put("decidedBy", approver);
    body.put("invocationId", outcome.invocation().invocationId());
    OperatorRequests.putOutcome(body, outcome, false);
    return body;
  }

  static Map<String, Object> body(ApprovalView v) {
    Invocation inv = v.invocation().invocation();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("approvalId", v.approvalId());
    body.put("status", v.status());
    body.put("invocationId", inv.invocationId());
    body.put("invocationState", InvocationRoutes.state(v.invocation()));
    body.put("tool", inv.toolName());
    body.put("agent", inv.agent().id());
    body.put("tenant", inv.tenant());
    OperatorRequests.putUser(body, inv);
    body.put("arguments", v.invocation().current().arguments());
    body.put("argumentsDigest", v.invocation().currentDigest());
    ArgumentsEdit edit = v.invocation().edit();
    if (edit != null) {
      Map<String, Object> edited = new LinkedHashMap<>();
      edited.put("by", edit.editedBy());
      edited.put("at", edit.at().toString());
      edited.put("originalArguments", inv.arguments());
      edited.put("originalArgumentsDigest", v.invocation().argumentsDigest());
      body.put("edited", edited);
    }
    body.put("required", v.required());
    body.put("approvals", v.approvals());
    if (v.status().equals("pending")) {
      body.put("remaining", v.remaining());
    }
    body.put(
        "votes",
        v.votes().stream()
            .map(
                vote -> {
                  Map<String, Object> one = new LinkedHashMap<>();
                  one.put("approver", vote.approver());
                  one.put("at", vote.at().toString());
                  one.put("argumentsDigest", vote.argumentsDigest());
                  one.put("counts", vote.counts());
                  if (vote.reason() != null) {
                    one.put("reason", vote.reason());
                  }
                  return one;
                })
            .toList());
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
    T run() throws ApprovalRefusal;
  }

  private static <T> T call(Action<T> action) {
    try {
      return action.run();
    } catch (ApprovalRefusal r) {
      ProblemType type =
          switch (r.kind()) {
            case NOT_FOUND -> ProblemType.NOT_FOUND;
            case DECIDED -> ProblemType.APPROVAL_DECIDED;
            case EXPIRED -> ProblemType.APPROVAL_EXPIRED;
            case FOUR_EYES -> ProblemType.FOUR_EYES;
            case UNAVAILABLE -> ProblemType.STORE_UNAVAILABLE;
            case ALREADY_VOTED -> ProblemType.ALREADY_VOTED;
            case STORED_CALL_ALTERED -> ProblemType.STORED_CALL_ALTERED;
            case ARGUMENTS_CHANGED -> ProblemType.APPROVAL_ARGUMENTS_CHANGED;
            case INVALID_EDIT -> ProblemType.INVALID_EDIT;
          };
      Problem problem = Problem.of(type, r.getMessage());
      throw new EdgeRejection(
          r.violations().isEmpty() ? problem : problem.with("violations", r.violations()));
    }
  }
}
