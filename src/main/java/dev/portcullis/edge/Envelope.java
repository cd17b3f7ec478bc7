package dev.portcullis.edge;

import dev.portcullis.invocation.Channel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The REST invocation envelope, read strictly: unknown members, wrong types and oversized values
 * are refused with a problem that names the member.
 *
 * <p>Security: {@code actor.userId}, {@code actor.channel} and {@code policyContext} are what the
 * agent says; they are recorded and may narrow what a policy allows, but identity comes from
 * credentials, not from here, and the channel a policy trusts is the gateway's ({@link Channel}).
 * The agent's channel joins the policy context as {@code declaredChannel}; it may not take a name
 * of the gateway's own channels, and the context may not name a fact the gateway sets.
 */
record Envelope(
    String requestId,
    String userId,
    String sessionId,
    JsonNode arguments,
    Map<String, String> policyContext) {

  /** The policy context member that carries {@code actor.channel}. */
  static final String DECLARED_CHANNEL = "declaredChannel";

  /**
   * Context names the gateway sets or derives: an agent may not send them in {@code policyContext}.
   */
  private static final Set<String> RESERVED_CONTEXT = Set.of("channel", "time", DECLARED_CHANNEL);

  private static final Set<String> TOP = Set.of("requestId", "actor", "arguments", "policyContext");
  private static final Set<String> ACTOR = Set.of("userId", "channel", "sessionId");
  private static final Pattern CONTEXT_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");
  private static final int MAX_TEXT = 256;
  private static final int MAX_CONTEXT = 16;

  static Envelope parse(JsonNode body) {
    unknown(body, TOP, "");
    JsonNode actor = body.path("actor");
    if (!actor.isMissingNode() && !actor.isObject()) {
      throw bad("actor must be an object");
    }
    unknown(actor, ACTOR, "actor.");
    JsonNode args = body.path("arguments");
    if (args.isMissingNode()) {
      args = JsonNodeFactory.instance.objectNode();
    } else if (!args.isObject()) {
      throw bad("arguments must be a JSON object");
    }
    Map<String, String> context = context(body.path("policyContext"));
    String channel = text(actor, "channel", "actor.");
    if (channel != null) {
      if (Channel.isReserved(channel)) {
        throw bad(
            "actor.channel '"
                + channel
                + "' is a channel the gateway sets itself; name the client's own"
                + " channel (for example 'slack' or 'web')");
      }
      context = new LinkedHashMap<>(context);
      context.put(DECLARED_CHANNEL, channel);
    }
    return new Envelope(
        text(body, "requestId", ""),
        text(actor, "userId", "actor."),
        text(actor, "sessionId", "actor."),
        args,
        context);
  }

  private static Map<String, String> context(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject() || node.size() > MAX_CONTEXT) {
      throw bad("policyContext must be an object of at most " + MAX_CONTEXT + " string members");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : node.propertyNames()) {
      if (!CONTEXT_KEY.matcher(key).matches()) {
        throw bad("policyContext." + key + " is not a valid name");
      }
      if (RESERVED_CONTEXT.contains(key)) {
        throw bad(
            "policyContext."
                + key
                + " names a fact the gateway sets itself"
                + (key.equals(DECLARED_CHANNEL) ? " (send actor.channel)" : "")
                + "; leave it out");
      }
      String value = text(node, key, "policyContext.");
      if (value == null) { // a null fact would reach the policy as neither present nor absent
        throw bad(
            "policyContext." + key + " must be a string of at most " + MAX_TEXT + " characters");
      }
      out.put(key, value);
    }
    return out;
  }

  private static String text(JsonNode parent, String name, String prefix) {
    JsonNode v = parent.path(name);
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isString() || v.asString().length() > MAX_TEXT) {
      throw bad(prefix + name + " must be a string of at most " + MAX_TEXT + " characters");
    }
    return v.asString();
  }

  private static void unknown(JsonNode node, Set<String> allowed, String prefix) {
    if (!node.isObject()) {
      return;
    }
    for (String name : node.propertyNames()) {
      if (!allowed.contains(name)) {
        throw bad(
            "unknown member "
                + prefix
                + name
                + "; expected "
                + List.copyOf(new java.util.TreeSet<>(allowed)));
      }
    }
  }

  private static EdgeRejection bad(String detail) {
    return new EdgeRejection(Problem.of(ProblemType.MALFORMED_REQUEST, detail));
  }
}
