package dev.portcullis.edge;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.UserRef;
import io.modelcontextprotocol.spec.McpSchema;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The built-in MCP tool {@code portcullis_outcome}: how one of the agent's own calls stands, by the
 * {@code invocationId} its result gave. Once the call has ended the answer is its outcome exactly
 * as the call itself would have given it (the filtered result, or {@code isError} with the
 * problem); before that, a pending result. {@code waitSeconds} (0 to {@code approvals.mcpWait})
 * waits that long for the end, as a parked call does.
 *
 * <p>It is not a governed tool: it reads the invocation store and never takes the connector road,
 * so it is offered to every authenticated agent and is not audited as an invocation (reading a call
 * of one's own decides nothing and has no effect on any system; the call it reads has its own audit
 * records). Each use is logged. Its name has no dot, so no upstream tool ({@code connector.tool})
 * can take it, and the configuration refuses a tool of that name.
 *
 * <p>Security: only the agent that made the call (same agent id and tenant), acting for the same
 * verified user (none for a call made for nobody), can read it; for any other id, foreign or
 * unknown, the answer is the same "no such invocation" error, without any id or trace of the call,
 * so ids cannot be probed.
 */
final class McpOutcomeTool {
  private static final Logger LOG = LoggerFactory.getLogger(McpOutcomeTool.class);
  static final String NAME = "portcullis_outcome";

  /** What an invocation id may be: ours are UUIDs; this keeps log lines and messages clean. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  private static final Set<String> KEYS = Set.of("invocationId", "waitSeconds");

  private final InvocationStore invocations;
  private final McpWaits waits;
  private final McpToolResults results;
  private final long maxWaitSeconds;
  private final McpSchema.Tool descriptor;

  McpOutcomeTool(
      InvocationStore invocations, McpWaits waits, McpToolResults results, Duration mcpWait) {
    this.invocations = invocations;
    this.waits = waits;
    this.results = results;
    this.maxWaitSeconds = mcpWait.toSeconds();
    this.descriptor = describe();
  }

  /** What {@code tools/list} shows of this tool, the same for every agent. */
  McpSchema.Tool descriptor() {
    return descriptor;
  }

  private McpSchema.Tool describe() {
    Map<String, Object> id = new LinkedHashMap<>();
    id.put("type", "string");
    id.put("pattern", ID.pattern());
    id.put(
        "description",
        "The invocationId an earlier call of yours returned (in structuredContent, or in _meta"
            + " as portcullis/invocationId).");
    Map<String, Object> wait = new LinkedHashMap<>();
    wait.put("type", "integer");
    wait.put("minimum", 0);
    wait.put("maximum", maxWaitSeconds);
    wait.put("default", 0);
    wait.put(
        "description",
        "Wait up to this many seconds for the call to end before answering (0 answers at once).");
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("invocationId", id);
    properties.put("waitSeconds", wait);
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("type", "object");
    schema.put("properties", properties);
    schema.put("required", List.of("invocationId"));
    schema.put("additionalProperties", false);
    String title = "Outcome of an earlier call";
    return new McpSchema.Tool(
        NAME,
        title,
        "Built into Portcullis. Returns how one of your earlier tool calls stands, by its invocationId; use it"
            + " when a call answered that it awaits a person's approval. While the call waits, the answer says so"
            + " (status awaiting-approval); once it has ended, the answer is that call's own outcome: its result,"
            + " or an error with the reason (for example why an approver denied it). Pass waitSeconds to wait"
            + " up to that long for the outcome.",
        schema,
        null,
        new McpSchema.ToolAnnotations(title, true, false, true, false, null),
        null,
        null);
  }

  /**
   * Answers {@code portcullis_outcome} for {@code agent} acting for {@code user} (the verified user
   * of this request, or null); {@code progress} (may be null) while it waits.
   */
  McpSchema.CallToolResult call(
      JsonNode arguments, AgentRef agent, UserRef user, McpWaits.Progress progress) {
    List<String> violations = violations(arguments);
    if (!violations.isEmpty()) {
      LOG.info(
          "{} refused for agent {} (tenant {}): invalid arguments",
          NAME,
          agent.id(),
          agent.tenant());
      return results.refusal(
          ProblemType.INVALID_ARGUMENTS,
          "arguments do not match the input schema of tool '" + NAME + "'",
          violations);
    }
    String id = arguments.path("invocationId").asString();
    long waitSeconds =
        arguments.has("waitSeconds") ? arguments.path("waitSeconds").decimalValue().longValue() : 0;
    Optional<StoredInvocation> found;
    try {
      found = invocations.find(id).filter(s -> s.invocation().madeFor(agent, user));
    } catch (InvocationStore.StoreException e) {
      LOG.error("{}: cannot read invocation {}", NAME, id, e);
      return results.refusal(
          ProblemType.STORE_UNAVAILABLE,
          "the invocation store cannot be read; call " + NAME + " again later",
          List.of());
    }
    if (found.isEmpty()) {
      LOG.info(
          "{}: agent {} (tenant {}) asked for invocation {}, which is not one of its calls",
          NAME,
          agent.id(),
          agent.tenant(),
          id);
      return notFound(id);
    }
    StoredInvocation s = found.get();
    if (waitSeconds > 0 && !McpWaits.settled(s.state())) {
      s =
          waits
              .await(id, Duration.ofSeconds(waitSeconds), progress)
              .filter(x -> x.invocation().madeFor(agent, user))
              .orElse(s);
    }
    LOG.info(
        "{}: agent {} (tenant {}) read invocation {}: {}",
        NAME,
        agent.id(),
        agent.tenant(),
        id,
        s.state());
    return results.of(s, null);
  }

  private McpSchema.CallToolResult notFound(String id) {
    return results.refusal(
        ProblemType.NOT_FOUND,
        "no invocation " + id + " of yours; pass the invocationId one of your calls returned",
        List.of());
  }

  private List<String> violations(JsonNode arguments) {
    List<String> out = new ArrayList<>();
    if (!arguments.isObject()) {
      out.add(": must be an object such as {\"invocationId\": \"…\"}");
      return out;
    }
    for (String name : arguments.propertyNames()) {
      if (!KEYS.contains(name)) {
        out.add("/" + name + ": is not allowed; the arguments are invocationId and waitSeconds");
      }
    }
    JsonNode id = arguments.path("invocationId");
    if (id.isMissingNode()) {
      out.add("/invocationId: is required");
    } else if (!id.isString() || !ID.matcher(id.asString()).matches()) {
      out.add(
          "/invocationId: must be the invocationId a call of yours returned (1 to 128 letters, digits,"
              + " '_', '.', ':' or '-')");
    }
    JsonNode wait = arguments.path("waitSeconds");
    if (!wait.isMissingNode() && !inRange(wait)) {
      out.add("/waitSeconds: must be an integer from 0 to " + maxWaitSeconds);
    }
    return out;
  }

  /** An integer (5 or 5.0, as JSON Schema counts them) from 0 to the most this gateway waits. */
  private boolean inRange(JsonNode n) {
    if (!n.isNumber()) {
      return false;
    }
    BigDecimal d = n.decimalValue();
    boolean integer = d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
    return integer && d.signum() >= 0 && d.compareTo(BigDecimal.valueOf(maxWaitSeconds)) <= 0;
  }
}
