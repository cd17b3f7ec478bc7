package dev.portcullis.edge;

import dev.portcullis.identity.Approvers;
import dev.portcullis.identity.Identities;
import dev.portcullis.identity.IdentityException;
import dev.portcullis.identity.TokenVerifier;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.OperatorRef;
import dev.portcullis.invocation.UserRef;
import io.javalin.http.Context;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks every request passes before it is read: the Host header (DNS rebinding), the Origin
 * header (browsers: an origin in {@code allowedOrigins}, or the gateway's own, for the approver
 * inbox it serves), the agent's credential, and the delegating user's token when there is one.
 *
 * <p>Security: credentials are never logged, echoed or kept; only the identities they prove leave
 * this class. A 401 names the protected resource metadata (RFC 9728), so standard MCP clients can
 * discover where to get a token.
 */
final class Guard {
  /** The header that carries the token of the human the agent acts for. */
  static final String USER_TOKEN_HEADER = "Portcullis-User-Token";

  private static final Logger LOG = LoggerFactory.getLogger(Guard.class);

  /**
   * Headers a request may carry once: two parts of one stack reading different copies (a proxy
   * checks the first Authorization, the gateway the last) is a classic bypass, so both are refused.
   */
  private static final List<String> SINGLE =
      List.of(
          "Host",
          "Authorization",
          "Origin",
          USER_TOKEN_HEADER,
          "Content-Type",
          "Content-Encoding",
          "Idempotency-Key",
          "Mcp-Session-Id",
          "MCP-Protocol-Version",
          "Mcp-Method",
          "Mcp-Name");

  private final Set<String> hosts;
  private final Set<String> origins;
  private final Identities identities;

  Guard(EdgeSettings settings, Identities identities) {
    this.hosts =
        settings.allowedHosts().stream()
            .map(h -> h.toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
    this.origins =
        settings.allowedOrigins().stream()
            .map(o -> o.toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
    this.identities = identities;
  }

  /**
   * Refuses a request whose Host or Origin is not allowed, or that repeats a header it may carry
   * once.
   */
  void checkHostAndOrigin(Context ctx) {
    for (String name : SINGLE) {
      Enumeration<String> values = ctx.req().getHeaders(name);
      if (values != null && values.hasMoreElements()) {
        values.nextElement();
        if (values.hasMoreElements()) {
          throw new EdgeRejection(
              Problem.of(ProblemType.MALFORMED_REQUEST, "send the " + name + " header once"));
        }
      }
    }
    String host = hostName(ctx.header("Host"));
    if (host == null || !hosts.contains(host)) {
      throw new EdgeRejection(
          Problem.of(
              ProblemType.HOST_NOT_ALLOWED,
              "add this host to server.allowedHosts in the gateway configuration if it should be served"));
    }
    String origin = ctx.header("Origin");
    if (origin != null
        && !origins.contains(origin.toLowerCase(Locale.ROOT))
        && !sameOrigin(origin, ctx.header("Host"))) {
      throw new EdgeRejection(
          Problem.of(
              ProblemType.ORIGIN_NOT_ALLOWED,
              "the origin " + origin + " is not in server.allowedOrigins"));
    }
  }

  /** The agent that presented a valid {@code Authorization: Bearer} credential, or a 401/403. */
  AgentRef authenticate(Context ctx) {
    String credential = bearer(ctx);
    try {
      return identities.authenticateAgent(credential);
    } catch (IdentityException e) {
      if (e.kind() == IdentityException.Kind.MISSING) {
        throw unauthenticated(
            ctx,
            "send the agent's API key or access token as 'Authorization: Bearer <credential>'",
            null);
      }
      if (e.kind() == IdentityException.Kind.AGENT_NOT_REGISTERED) {
        throw new EdgeRejection(
            Problem.of(
                ProblemType.AGENT_NOT_REGISTERED,
                e.getMessage() + "; ask the gateway operator to register the client"));
      }
      LOG.info("refused an agent credential from {}: {}", ctx.ip(), e.getMessage());
      throw unauthenticated(
          ctx,
          e.getMessage() + "; ask the gateway operator for a credential for your agent",
          e.getMessage());
    }
  }

  /**
   * The approver (operator) whose key or operator token is the {@code Authorization: Bearer}
   * credential, with the tenants they act for. An agent's valid credential, or a valid delegating
   * user's token (which an agent may hold), is refused with 403: no agent can approve, settle or
   * revert, whatever credential it holds. Anything else is refused with 401.
   */
  OperatorRef approver(Context ctx, Approvers approvers) {
    String credential = bearer(ctx);
    Optional<OperatorRef> approver = approvers.authenticate(credential);
    if (approver.isPresent()) {
      return approver.get();
    }
    if (credential == null || credential.isEmpty()) {
      throw unauthenticated(
          ctx,
          "send an approver's API key, or your operator token with an approver role, as"
              + " 'Authorization: Bearer <credential>'",
          null);
    }
    if (identities.isDelegationToken(credential)) {
      LOG.warn(
          "a delegating user's token was presented to the operator API {} {} from {}",
          ctx.method(),
          ctx.path(),
          ctx.ip());
      throw new EdgeRejection(
          Problem.of(
              ProblemType.NOT_AN_APPROVER,
              "this is a token for agents' calls (a delegating user's token); it never opens the operator API, since an"
                  + " agent may hold it. Sign in with a token issued for the operator audience configured under"
                  + " approvers"));
    }
    try {
      AgentRef agent = identities.authenticateAgent(credential);
      LOG.warn("agent {} tried the approval API from {}", agent.id(), ctx.ip());
      throw new EdgeRejection(
          Problem.of(
              ProblemType.NOT_AN_APPROVER,
              "this is agent "
                  + agent.id()
                  + "'s credential; agents can never decide approvals, an approver must"));
    } catch (IdentityException e) {
      boolean token = TokenVerifier.looksLikeJwt(credential);
      throw unauthenticated(
          ctx,
          token
              ? "the token is not valid here or carries no approver role; ask the gateway operator which role approves"
              : "the key is not an approver's; ask the gateway operator to list you under approvers",
          token ? "not an approver's token" : "not an approver's key");
    }
  }

  /**
   * The operator the {@code Authorization: Bearer} credential proves (an approver's key or operator
   * token), if any.
   */
  Optional<OperatorRef> operatorIfAny(Context ctx, Approvers approvers) {
    return approvers.authenticate(bearer(ctx));
  }

  /**
   * The agent the {@code Authorization: Bearer} credential proves, if it proves one; no refusal.
   */
  Optional<AgentRef> agentIfAny(Context ctx) {
    try {
      return Optional.of(identities.authenticateAgent(bearer(ctx)));
    } catch (IdentityException notAnAgent) {
      return Optional.empty();
    }
  }

  /**
   * The credential of {@code Authorization: Bearer <credential>}: null without the header (or with
   * an empty one), empty after a bare {@code Bearer}; any other scheme is a 401.
   */
  private String bearer(Context ctx) {
    String authorization = ctx.header("Authorization");
    if (authorization == null || authorization.isBlank()) {
      return null;
    }
    int space = authorization.indexOf(' ');
    String scheme = space < 0 ? authorization : authorization.substring(0, space);
    if (!scheme.equalsIgnoreCase("Bearer")) {
      throw unauthenticated(ctx, "the Authorization scheme must be Bearer", null);
    }
    return space < 0 ? "" : authorization.substring(space + 1).strip();
  }

  /** The verified user the agent acts for, from {@value #USER_TOKEN_HEADER}; empty without one. */
  Optional<UserRef> delegatingUser(Context ctx, AgentRef agent) {
    String token = ctx.header(USER_TOKEN_HEADER);
    if (token == null || token.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(identities.authenticateUser(token.strip(), agent));
    } catch (IdentityException e) {
      LOG.info(
          "refused a user token from {} for agent {}: {}", ctx.ip(), agent.id(), e.getMessage());
      ProblemType type =
          e.kind() == IdentityException.Kind.TENANT_MISMATCH
              ? ProblemType.TENANT_MISMATCH
              : ProblemType.INVALID_USER_TOKEN;
      throw new EdgeRejection(Problem.of(type, e.getMessage()));
    }
  }

  private static EdgeRejection unauthenticated(Context ctx, String detail, String error) {
    StringBuilder challenge = new StringBuilder("Bearer realm=\"portcullis\"");
    challenge
        .append(", resource_metadata=\"")
        .append(ProtectedResourceRoutes.metadataUrl(ctx))
        .append('"');
    if (error != null) {
      challenge
          .append(", error=\"invalid_token\", error_description=\"")
          .append(error.replace('"', '\'').replace('\\', '/'))
          .append('"');
    }
    return new EdgeRejection(
        Problem.of(ProblemType.UNAUTHENTICATED, detail),
        Map.of("WWW-Authenticate", challenge.toString()));
  }

  /**
   * Whether a browser {@code Origin} is the gateway itself, as the Host header names it: the page
   * that sent it was served from this address (the approver inbox). The Host header has already
   * passed {@code allowedHosts}, so a DNS-rebinding page, whose Host is the attacker's name, never
   * gets here.
   */
  static boolean sameOrigin(String origin, String hostHeader) {
    if (hostHeader == null) {
      return false;
    }
    String o = origin.strip().toLowerCase(Locale.ROOT);
    String authority =
        o.startsWith("https://") ? o.substring(8) : o.startsWith("http://") ? o.substring(7) : null;
    return authority != null
        && !authority.isEmpty()
        && authority.equals(hostHeader.strip().toLowerCase(Locale.ROOT));
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
