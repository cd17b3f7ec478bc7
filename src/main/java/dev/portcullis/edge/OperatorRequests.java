package dev.portcullis.edge;

import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * The request and answer plumbing the operators' APIs ({@link ApprovalRoutes}, {@link
 * InvocationAdminRoutes}) share: {@code POST …/{id}:verb} parsing, the listing filter, a required
 * reason, and the members that describe who asked and how a call ended.
 */
final class OperatorRequests {
  private OperatorRequests() {}

  /** One of two verbs on one id, as in {@code POST /v1/approvals/{id}:approve}. */
  record Action(String id, boolean first) {}

  /**
   * Splits {@code {id}:verb} for one of two verbs; any other path is a 404 that says {@code usage}.
   * The caller checks the approver's key after this, so a wrong path is a 404 before it is a 401.
   */
  static Action action(Context ctx, String first, String second, String usage) {
    String action = ctx.pathParam("idAction");
    boolean isFirst = action.endsWith(first) && action.length() > first.length();
    boolean isSecond = action.endsWith(second) && action.length() > second.length();
    if (!isFirst && !isSecond) {
      throw new EdgeRejection(Problem.of(ProblemType.NOT_FOUND, usage));
    }
    return new Action(
        action.substring(0, action.length() - (isFirst ? first : second).length()), isFirst);
  }

  /** Runs a listing whose filter the store refuses with {@link IllegalArgumentException}: a 400. */
  static <T> T listing(Supplier<T> list) {
    try {
      return list.get();
    } catch (IllegalArgumentException e) {
      throw new EdgeRejection(Problem.of(ProblemType.MALFORMED_REQUEST, e.getMessage()));
    }
  }

  /**
   * The body's {@code reason}: a string of 1 to {@code max} characters, stripped; else a 400 saying
   * {@code need}.
   */
  static String requiredReason(JsonNode body, int max, String need) {
    JsonNode reason = body.path("reason");
    if (!reason.isString() || reason.asString().isBlank() || reason.asString().length() > max) {
      throw new EdgeRejection(Problem.of(ProblemType.MALFORMED_REQUEST, need));
    }
    return reason.asString().strip();
  }

  /** Puts {@code user} (its id and whether it was verified) when the call names one. */
  static void putUser(Map<String, Object> body, Invocation inv) {
    if (inv.user() != null) {
      Map<String, Object> user = new LinkedHashMap<>();
      user.put("id", inv.user().id());
      user.put("verified", inv.user().verified());
      body.put("user", user);
    }
  }

  /**
   * Puts how a call ended: {@code state}, then its {@code result} or {@code error} (for a parked
   * call its {@code approvalId} when {@code withApprovalId}), then its {@code location}.
   */
  static void putOutcome(Map<String, Object> body, Outcome outcome, boolean withApprovalId) {
    body.put("state", InvocationRoutes.wireName(outcome.state()));
    switch (outcome) {
      case Outcome.Completed c -> body.put("result", c.result());
      case Outcome.AwaitingApproval a -> {
        if (withApprovalId) {
          body.put("approvalId", a.approvalId());
        }
      }
      default -> body.put("error", OutcomeProblems.of(outcome).body(null));
    }
    body.put("location", InvocationRoutes.PATH + outcome.invocation().invocationId());
  }
}
