package dev.portcullis.edge;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.Outcome;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.UserRef;
import dev.portcullis.service.ApprovalRefusal;
import dev.portcullis.service.Approvals;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The MCP tasks extension ({@code io.modelcontextprotocol/tasks}) for calls parked for approval: a
 * {@code tools/call} whose request declares the extension and that policy parks is answered at once
 * with a task ({@code resultType: "task"}, status {@code working}) instead of being held open, and
 * {@code tasks/get}, {@code tasks/cancel} and {@code tasks/update} follow it. The task is the
 * parked invocation, already durable when the pipeline returns: its id ({@link McpTaskIds}) names
 * the invocation, so nothing more is stored and any node that shares the store answers for it.
 *
 * <p>States: a call not yet ended (parked, executing, or waiting for an operator's reconciliation)
 * is {@code working}; an ended one is {@code completed} with the {@code tools/call} result it would
 * have given without a task (an approver's denial, an expiry or an upstream failure is that
 * result's {@code isError}, as the extension asks: {@code failed} is only for JSON-RPC errors); a
 * call cancelled is {@code cancelled}; an ended call whose outcome cannot be read is {@code failed}
 * with {@code -32603}.
 *
 * <p>Security: the agent's own calls only. An id that does not verify for this agent, names no
 * call, or names a call of another agent or made for another user, gets the one "task not found"
 * answer ({@code -32602}), so ids cannot be probed; an id of a shape this server never issues is
 * {@code -32602} too, as malformed. Cancelling goes through {@link
 * dev.portcullis.service.ParkedCancellations} (the ledger, audited) and is refused once the call
 * has been decided. Nothing here writes a log line with more than ids and states.
 */
final class McpTasks {
  private static final Logger LOG = LoggerFactory.getLogger(McpTasks.class);

  static final String EXTENSION = "io.modelcontextprotocol/tasks";
  static final String CLIENT_CAPABILITIES_META = "io.modelcontextprotocol/clientCapabilities";

  /** The revision's code for a request that needs a capability the client did not declare. */
  static final int MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;

  /**
   * How often a client should ask: a person decides in seconds or minutes, and each ask is one
   * store read.
   */
  static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

  private final InvocationStore invocations;
  private final Approvals approvals;
  private final McpTaskIds ids;
  private final McpToolResults results;

  McpTasks(
      InvocationStore invocations, Approvals approvals, McpTaskIds ids, McpToolResults results) {
    this.invocations = invocations;
    this.approvals = approvals;
    this.ids = ids;
    this.results = results;
  }

  /** Whether the request's per-request capabilities ({@code params._meta}) declare tasks. */
  static boolean declared(JsonNode params) {
    return params
        .path("_meta")
        .path(CLIENT_CAPABILITIES_META)
        .path("extensions")
        .path(EXTENSION)
        .isObject();
  }

  /** The error for a {@code tasks/*} request that does not declare the extension. */
  static JSONRPCError missingCapability() {
    return new JSONRPCError(
        MISSING_REQUIRED_CLIENT_CAPABILITY,
        "Missing required client capability",
        Map.of("requiredCapabilities", Map.of("extensions", Map.of(EXTENSION, Map.of()))));
  }

  /** The task a parked call answers with: {@code resultType: "task"}, working. */
  Map<String, Object> created(Outcome.AwaitingApproval parked) {
    Invocation inv = parked.invocation();
    Map<String, Object> task =
        task(
            ids.mint(inv.invocationId(), inv.agent()),
            "working",
            awaiting(parked.approvalId()),
            inv.receivedAt(),
            inv.receivedAt());
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("resultType", "task");
    result.putAll(task);
    LOG.info(
        "invocation {} of agent {} (tenant {}) awaits approval {}; answered as a task",
        inv.invocationId(),
        inv.agent().id(),
        inv.tenant(),
        parked.approvalId());
    return result;
  }

  /** {@code tasks/get}: the task as it stands, with the call's result once it has ended. */
  JSONRPCResponse get(Object id, JsonNode params, AgentRef agent, UserRef user) {
    return withTask(
        id, params, agent, user, (taskId, s) -> JSONRPCResponse.result(id, view(taskId, s)));
  }

  /** {@code tasks/cancel}: cancels the parked call; refused once it has been decided. */
  JSONRPCResponse cancel(Object id, JsonNode params, AgentRef agent, UserRef user) {
    return withTask(
        id,
        params,
        agent,
        user,
        (taskId, s) -> {
          try {
            approvals.cancel(s.invocationId(), agent, user);
            return JSONRPCResponse.result(id, Map.of());
          } catch (ApprovalRefusal r) {
            return switch (r.kind()) {
              case NOT_FOUND -> notFound(id);
              case UNAVAILABLE -> unavailable(id);
              case DECIDED, EXPIRED -> {
                LOG.info(
                    "agent {} (tenant {}) asked to cancel invocation {}, which can no longer be"
                        + " cancelled",
                    agent.id(),
                    agent.tenant(),
                    s.invocationId());
                Map<String, Object> data = new LinkedHashMap<>();
                data.put(
                    "type",
                    (r.kind() == ApprovalRefusal.Kind.EXPIRED
                            ? ProblemType.APPROVAL_EXPIRED
                            : ProblemType.APPROVAL_DECIDED)
                        .uri());
                yield JSONRPCResponse.error(
                    id,
                    new JSONRPCError(
                        ErrorCodes.INVALID_PARAMS,
                        "Task cannot be cancelled: " + r.getMessage(),
                        data));
              }
              default -> {
                LOG.error("cancelling invocation {} was refused: {}", s.invocationId(), r.kind());
                yield JSONRPCResponse.error(
                    id,
                    new JSONRPCError(
                        ErrorCodes.INTERNAL_ERROR,
                        "the task could not be cancelled; the gateway log has details",
                        Map.of("type", ProblemType.INTERNAL.uri())));
              }
            };
          }
        });
  }

  /**
   * {@code tasks/update}: acknowledged for a task of the agent's. These tasks never ask for input,
   * so no response is outstanding, and the extension says to ignore responses to keys that are not.
   */
  JSONRPCResponse update(Object id, JsonNode params, AgentRef agent, UserRef user) {
    if (!params.path("inputResponses").isObject()) {
      return McpDispatcher.invalidParams(id, "tasks/update needs params.inputResponses, an object");
    }
    return withTask(id, params, agent, user, (taskId, s) -> JSONRPCResponse.result(id, Map.of()));
  }

  private interface TaskAction {
    JSONRPCResponse apply(String taskId, StoredInvocation s);
  }

  /** Finds the agent's task named by {@code params.taskId} and applies {@code action} to it. */
  private JSONRPCResponse withTask(
      Object id, JsonNode params, AgentRef agent, UserRef user, TaskAction action) {
    JsonNode taskId = params.path("taskId");
    if (!taskId.isString()) {
      return McpDispatcher.invalidParams(id, "params.taskId must be a string, the task's id");
    }
    if (!McpTaskIds.wellFormed(taskId.asString())) {
      return JSONRPCResponse.error(
          id,
          new JSONRPCError(
              ErrorCodes.INVALID_PARAMS,
              "Malformed taskId: not an id this server issues",
              Map.of("type", ProblemType.MALFORMED_REQUEST.uri())));
    }
    Optional<String> invocationId = ids.verify(taskId.asString(), agent);
    Optional<StoredInvocation> found;
    try {
      found =
          invocationId.isEmpty()
              ? Optional.empty()
              : invocations
                  .find(invocationId.get())
                  .filter(s -> s.invocation().madeFor(agent, user));
    } catch (InvocationStore.StoreException e) {
      LOG.error("tasks: cannot read invocation {}", invocationId.orElse("?"), e);
      return unavailable(id);
    }
    if (found.isEmpty()) {
      LOG.info(
          "tasks: agent {} (tenant {}) named a task that is not one of its own",
          agent.id(),
          agent.tenant());
      return notFound(id);
    }
    return action.apply(taskId.asString(), found.get());
  }

  /** The task of stored call {@code s}, as {@code tasks/get} gives it. */
  private Map<String, Object> view(String taskId, StoredInvocation s) {
    Instant created = s.invocation().receivedAt();
    Instant updated = s.updatedAt();
    InvocationState state = s.state();
    if (!state.isTerminal()) {
      return task(taskId, "working", working(state), created, updated);
    }
    Ending ending = s.ending();
    String detail = ending == null ? null : ending.detail();
    if (state == InvocationState.CANCELLED) {
      return task(taskId, "cancelled", detail, created, updated);
    }
    if (s.outcome() == null) {
      LOG.error(
          "tasks: invocation {} ended {} but its outcome cannot be read", s.invocationId(), state);
      Map<String, Object> failed =
          task(taskId, "failed", "the call ended but its outcome cannot be read", created, updated);
      failed.put(
          "error",
          Map.of(
              "code",
              ErrorCodes.INTERNAL_ERROR,
              "message",
              "the call ended but its outcome cannot be read; the gateway log has details"));
      return failed;
    }
    Map<String, Object> completed =
        task(
            taskId,
            "completed",
            state == InvocationState.COMPLETED ? "the call completed" : detail,
            created,
            updated);
    completed.put("result", results.of(s, null));
    return completed;
  }

  private static Map<String, Object> task(
      String taskId, String status, String message, Instant created, Instant updated) {
    Map<String, Object> task = new LinkedHashMap<>();
    task.put("taskId", taskId);
    task.put("status", status);
    if (message != null) {
      task.put("statusMessage", message);
    }
    task.put("createdAt", created.toString());
    task.put("lastUpdatedAt", updated.toString());
    // Kept as long as the invocation is, which is as long as the audit log: no limit to state.
    task.put("ttlMs", null);
    task.put("pollIntervalMs", POLL_INTERVAL.toMillis());
    return task;
  }

  private static String awaiting(String approvalId) {
    return "awaiting a person's approval (approval " + approvalId + "); it has not run yet";
  }

  private static String working(InvocationState state) {
    return switch (state) {
      case AWAITING_APPROVAL -> "awaiting a person's approval; it has not run yet";
      case EXECUTING -> "approved; running";
      case NEEDS_RECONCILIATION ->
          "interrupted while it ran; an operator is finding out whether it took effect. Do not"
              + " make it again";
      default -> "being checked";
    };
  }

  private static JSONRPCResponse notFound(Object id) {
    return JSONRPCResponse.error(
        id,
        new JSONRPCError(
            ErrorCodes.INVALID_PARAMS,
            "Failed to retrieve task: Task not found",
            Map.of("type", ProblemType.NOT_FOUND.uri())));
  }

  private static JSONRPCResponse unavailable(Object id) {
    return JSONRPCResponse.error(
        id,
        new JSONRPCError(
            ErrorCodes.INTERNAL_ERROR,
            "the invocation store cannot be read; ask again later",
            Map.of("type", ProblemType.STORE_UNAVAILABLE.uri())));
  }
}
