package dev.portcullis.edge;

import dev.portcullis.identity.AgentDirectory;
import dev.portcullis.invocation.AgentRef;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks every request passes before it is read: the Host header (DNS rebinding), the Origin
 * header (browsers), and the agent's API key.
 *
 * <p>Security: the presented key is never logged, echoed or kept; only the authenticated agent id
 * leaves this class.
 */
final class Guard {
  private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
  private static final String CHALLENGE = "Bearer realm=\"portcullis\"";

  private final Set<String> hosts;
  private final Set<String> origins;
  private final AgentDirectory agents;

  Guard(EdgeSettings settings, AgentDirectory agents) {
    this.hosts = settings.allowedHosts().stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    this.origins = settings.allowedOrigins().stream().map(o -> o.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    this.agents = agents;
  }

  /** Refuses a request whose Host or Origin is not allowed. */
  void checkHostAndOrigin(Context ctx) {
    String host = hostName(ctx.header("Host"));
    if (host == null || !hosts.contains(host)) {
      throw new EdgeRejection(
          Problem.of(ProblemType.HOST_NOT_ALLOWED,
              "add this host to server.allowedHosts in the gateway configuration if it should be served"));
    }
    String origin = ctx.header("Origin");
    if (origin != null && !origins.contains(origin.toLowerCase(Locale.ROOT))) {
      throw new EdgeRejection(
          Problem.of(ProblemType.ORIGIN_NOT_ALLOWED,
              "the origin " + origin + " is not in server.allowedOrigins"));
    }
  }

  /** The agent that presented a valid {@code Authorization: Bearer} key, or a 401. */
  AgentRef authenticate(Context ctx) {
    String authorization = ctx.header("Authorization");
    if (authorization == null || authorization.isBlank()) {
      throw unauthenticated(
          "send the agent's API key as 'Authorization: Bearer <key>'", CHALLENGE);
    }
    int space = authorization.indexOf(' ');
    String scheme = space < 0 ? authorization : authorization.substring(0, space);
    if (!scheme.equalsIgnoreCase("Bearer")) {
      throw unauthenticated(
          "the Authorization scheme must be Bearer", CHALLENGE);
    }
    String key = authorization.substring(space + 1).strip();
    return agents.authenticate(key).orElseThrow(() -> {
      LOG.info("refused an unknown API key from {}", ctx.ip());
      return unauthenticated(
          "the API key is not valid; ask the gateway operator for a key for your agent",
          CHALLENGE + ", error=\"invalid_token\"");
    });
  }

  private static EdgeRejection unauthenticated(String detail, String challenge) {
    return new EdgeRejection(
        Problem.of(ProblemType.UNAUTHENTICATED, detail), Map.of("WWW-Authenticate", challenge));
  }

  /** The host part of a Host header, lower-cased, without port; IPv6 keeps its brackets. */
  static String hostName(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String h = header.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close < 0 ? null : h.substring(0, close + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }
}
