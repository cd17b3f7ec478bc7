package dev.portcullis.cli;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Channel;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.UserRef;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A call written by a person ({@code policy test} cases, {@code policy explain} flags), turned into
 * the invocation policy decides on: agent and tool resolved against the configuration, as the edge
 * and the catalog stage would. In {@code context}, {@code channel} sets the door the call came in
 * by ({@code rest}, {@code mcp} or {@code revert}; default {@value #DEFAULT_CHANNEL}) and {@code
 * time} its instant (default now); every other entry is policy context, {@code declaredChannel}
 * included (what a REST client says in {@code actor.channel}).
 */
record PolicyRequest(
    String agent, User user, String tool, JsonNode args, Map<String, String> context) {
  static final String DEFAULT_CHANNEL = "rest";

  /** A delegating user; in a policy request it is verified, as if proven by a token. */
  record User(String id, String tenant, Set<String> roles, Set<String> groups) {
    User {
      roles = Set.copyOf(roles);
      groups = Set.copyOf(groups);
    }
  }

  PolicyRequest {
    context = Map.copyOf(context);
  }

  /**
   * The resolved invocation, received at {@code now} unless the context says otherwise.
   *
   * @throws IllegalArgumentException naming the agent, tool or context entry the configuration does
   *     not have or cannot read
   */
  Invocation resolve(PolicyInputs inputs, Instant now) {
    AgentRef agentRef = inputs.agent(agent);
    CatalogEntry entry = inputs.tool(tool);
    Map<String, String> policyContext = new HashMap<>(context);
    String channel = policyContext.remove("channel");
    String time = policyContext.remove("time");
    if (channel != null && !Channel.isReserved(channel)) {
      throw new IllegalArgumentException(
          "'"
              + channel
              + "' is not a channel of the gateway (rest, mcp, revert);"
              + " what a client says of its own channel is context.declaredChannel");
    }
    Instant receivedAt = now;
    if (time != null) {
      try {
        receivedAt = Instant.parse(time);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "'" + time + "' is not an instant such as 2026-11-23T10:00:00Z (context.time)");
      }
    }
    UserRef userRef =
        user == null
            ? null
            : new UserRef(user.id(), user.tenant(), user.roles(), user.groups(), true);
    return Invocation.received(
            "policy-request",
            "0".repeat(32),
            null,
            null,
            agentRef,
            userRef,
            null,
            channel == null ? DEFAULT_CHANNEL : channel.strip().toLowerCase(java.util.Locale.ROOT),
            tool,
            args,
            policyContext,
            receivedAt)
        .withTool(entry.tool().ref());
  }

  /** What the validate stage would refuse in these arguments: such a call never reaches policy. */
  List<String> schemaViolations(PolicyInputs inputs) {
    if (!args.isObject()) {
      return List.of("/: arguments must be a JSON object");
    }
    return inputs.tool(tool).schema().violations(args);
  }
}
