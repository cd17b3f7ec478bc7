package dev.portcullis.edge;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.UserRef;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/invocations/{id}}: the state of one call, its tool, decision, timestamps and
 * outcome, read from the invocation store. With a configured approver's key or operator token the
 * same path gives the operator's view of any call of the operator's tenants ({@link
 * InvocationAdminRoutes}); with anything else, the agent's.
 *
 * <p>Security: only the agent (same id, same tenant) that made the call, acting for the same
 * verified user ({@code Portcullis-User-Token}; none for a call made for nobody), sees it; for any
 * other the call does not exist (404, not 403, so ids cannot be probed). Arguments are not
 * returned, only their digest (and, when an approver edited them, the edited arguments' digest, who
 * edited them and when: what ran were the edited ones); results are the filtered ones the agent was
 * given.
 */
final class InvocationRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(InvocationRoutes.class);
  static final String PATH = "/v1/invocations/";

  private final Gateway gateway;
  private final Guard guard;
  private final InvocationAdminRoutes operators;

  InvocationRoutes(Gateway gateway, Guard guard, InvocationAdminRoutes operators) {
    this.gateway = gateway;
    this.guard = guard;
    this.operators = operators;
  }

  void register(RoutesConfig routes) {
    routes.get(PATH + "{id}", this::show);
  }

  private void show(Context ctx) {
    String id = ctx.pathParam("id");
    // An agent's credential first (the common case, checked once); an approver's sees the operator
    // view.
    Optional<AgentRef> caller = guard.agentIfAny(ctx);
    Optional<OperatorRef> operator =
        caller.isEmpty() ? guard.operatorIfAny(ctx, gateway.approvers()) : Optional.empty();
    if (operator.isPresent()) {
      operators.show(ctx, id, operator.get());
      return;
    }
    AgentRef agent = caller.orElseGet(() -> guard.authenticate(ctx));
    UserRef user = guard.delegatingUser(ctx, agent).orElse(null);
    Optional<StoredInvocation> found;
    try {
      found = gateway.invocations().find(id);
    } catch (InvocationStore.StoreException e) {
      LOG.error("cannot read invocation {}", id, e);
      throw new EdgeRejection(
          Problem.of(
              ProblemType.STORE_UNAVAILABLE,
              "the invocation store cannot be read; retry later or ask an operator"));
    }
    StoredInvocation s =
        found
            .filter(f -> f.invocation().madeFor(agent, user))
            .orElseThrow(
                () ->
                    new EdgeRejection(
                        Problem.of(ProblemType.NOT_FOUND, "no invocation " + id + " of yours")));
    Responses.json(ctx, gateway.json(), 200, body(s));
  }

  /** The wire name of a state: {@code needs-reconciliation}. */
  static String state(StoredInvocation s) {
    return wireName(s.state());
  }

  /** The wire name of {@code state}: {@code needs-reconciliation}. */
  static String wireName(InvocationState state) {
    return state.wireName();
  }

  static Map<String, Object> body(StoredInvocation s) {
    Invocation inv = s.invocation();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("invocationId", inv.invocationId());
    body.put("traceId", inv.traceId());
    if (inv.requestId() != null) {
      body.put("requestId", inv.requestId());
    }
    if (inv.idempotencyKey() != null) {
      body.put("idempotencyKey", inv.idempotencyKey());
    }
    body.put("state", state(s));
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("name", inv.toolName());
    if (inv.tool() != null) {
      tool.put("version", inv.tool().version());
      tool.put("descriptorHash", inv.tool().descriptorHash());
    }
    body.put("tool", tool);
    body.put("argumentsDigest", s.argumentsDigest());
    if (s.edit() != null) {
      Map<String, Object> edited = new LinkedHashMap<>();
      edited.put("argumentsDigest", s.edit().digest());
      edited.put("by", s.edit().editedBy());
      edited.put("at", s.edit().at().toString());
      body.put("edited", edited);
    }
    Decision d = inv.decision();
    if (d != null) {
      Map<String, Object> decision = new LinkedHashMap<>();
      decision.put("effect", d.effect().wireName());
      decision.put("rules", d.ruleIds());
      decision.put("policyVersion", d.policyVersion());
      body.put("decision", decision);
    }
    body.put("receivedAt", inv.receivedAt().toString());
    body.put("updatedAt", s.updatedAt().toString());
    body.put(
        "history",
        s.history().stream()
            .map(
                h -> {
                  Map<String, Object> one = new LinkedHashMap<>();
                  one.put("state", wireName(h.state()));
                  one.put("at", h.at().toString());
                  return one;
                })
            .toList());
    Ending e = s.ending();
    if (e != null && e.result() != null) {
      body.put("result", e.result());
    } else if (e != null) {
      Map<String, Object> error = new LinkedHashMap<>();
      var outcome = s.outcome();
      if (outcome != null) {
        error.put("type", OutcomeProblems.of(outcome).type().uri());
      }
      error.put("kind", e.kind());
      error.put("detail", e.detail());
      if (!e.reasons().isEmpty()) {
        error.put("reasons", e.reasons());
      }
      body.put("error", error);
    }
    return body;
  }
}
