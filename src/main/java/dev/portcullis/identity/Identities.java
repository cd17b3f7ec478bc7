package dev.portcullis.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.UserRef;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is asking, and for whom. An agent proves itself with an API key, or with a client-credentials
 * JWT from a trusted issuer whose client claim names a configured agent. The human it acts for
 * proves themselves with their own token from a trusted issuer; their tenant must be the agent's.
 * The tenant always comes from these identities, never from the request.
 *
 * <p>Security: keys are looked up by hash and never stored or logged; tokens are verified here and
 * then dropped: nothing downstream of the edge holds them, so they cannot be forwarded upstream.
 *
 * <p>Concurrency: immutable after construction.
 */
public final class Identities {
  private final Map<String, AgentRef> byKeyHash;
  private final Map<String, AgentRef> byClient;
  private final TokenVerifier verifier;
  private final List<String> agentIssuers;

  public Identities(List<AgentSpec> agents, List<IssuerSpec> issuerSpecs, TokenVerifier verifier) {
    Map<String, String> urlByName = new HashMap<>();
    issuerSpecs.forEach(i -> urlByName.put(i.name(), i.issuer()));
    Map<String, AgentRef> keys = new HashMap<>();
    Map<String, AgentRef> clients = new HashMap<>();
    Set<String> issuers = new LinkedHashSet<>();
    for (AgentSpec agent : agents) {
      AgentRef ref = new AgentRef(agent.id(), agent.tenant(), null);
      for (String hash : agent.keyHashes()) {
        if (keys.putIfAbsent(hash, ref) != null) {
          throw new IllegalArgumentException("an API key hash is configured for two agents");
        }
      }
      agent
          .oauth()
          .ifPresent(
              c -> {
                if (clients.putIfAbsent(c.issuer() + "\n" + c.clientId(), ref) != null) {
                  throw new IllegalArgumentException(
                      "OAuth client " + c.clientId() + " is configured for two agents");
                }
                issuers.add(urlByName.getOrDefault(c.issuer(), c.issuer()));
              });
    }
    this.byKeyHash = Map.copyOf(keys);
    this.byClient = Map.copyOf(clients);
    this.verifier = verifier;
    this.agentIssuers = List.copyOf(issuers);
  }

  /** The issuers (URLs) agents get their tokens from: the authorization servers of the MCP edge. */
  public List<String> agentIssuers() {
    return agentIssuers;
  }

  /**
   * The agent that {@code credential} (the bearer value) proves.
   *
   * @throws IdentityException MISSING, INVALID_AGENT_CREDENTIAL or AGENT_NOT_REGISTERED
   */
  public AgentRef authenticateAgent(String credential) throws IdentityException {
    if (credential == null || credential.isBlank()) {
      throw new IdentityException(
          IdentityException.Kind.MISSING, "no agent credential was presented");
    }
    if (credential.length() > 16_384) {
      throw new IdentityException(
          IdentityException.Kind.INVALID_AGENT_CREDENTIAL, "the credential is too long");
    }
    if (!TokenVerifier.looksLikeJwt(credential)) {
      AgentRef agent = byKeyHash.get(ApiKeys.hash(credential));
      if (agent == null) {
        throw new IdentityException(
            IdentityException.Kind.INVALID_AGENT_CREDENTIAL, "the API key is not valid");
      }
      return agent;
    }
    TokenVerifier.Verified v =
        verifier.verify(credential, IdentityException.Kind.INVALID_AGENT_CREDENTIAL);
    String client = clientOf(v);
    AgentRef agent = client == null ? null : byClient.get(v.issuer().name() + "\n" + client);
    if (agent == null) {
      throw new IdentityException(
          IdentityException.Kind.AGENT_NOT_REGISTERED,
          "the token is valid but names no agent registered with this gateway");
    }
    return agent;
  }

  /**
   * The user that {@code token} proves, acting through {@code agent}.
   *
   * @throws IdentityException INVALID_USER_TOKEN or TENANT_MISMATCH
   */
  public UserRef authenticateUser(String token, AgentRef agent) throws IdentityException {
    if (token.length() > 16_384 || !TokenVerifier.looksLikeJwt(token)) {
      throw new IdentityException(
          IdentityException.Kind.INVALID_USER_TOKEN, "the user token is not a JWT");
    }
    TokenVerifier.Verified v = verifier.verify(token, IdentityException.Kind.INVALID_USER_TOKEN);
    IssuerSpec issuer = v.issuer();
    String id = text(v.claims(), issuer.userClaim());
    if (id == null || id.isBlank()) {
      throw new IdentityException(
          IdentityException.Kind.INVALID_USER_TOKEN,
          "the user token has no '" + issuer.userClaim() + "' claim naming the user");
    }
    // A client-credentials token names its client where a user token names its user (RFC 9068:
    // sub = client_id). One that names a registered agent is that agent's own token, whatever
    // tenant and roles it carries: an agent is never its own delegating user.
    if (byClient.containsKey(issuer.name() + "\n" + id)) {
      throw new IdentityException(
          IdentityException.Kind.INVALID_USER_TOKEN,
          "this is an agent's token, not a person's: send the token of the user the agent acts for");
    }
    String tenant = issuer.tenant().orElseGet(() -> text(v.claims(), issuer.tenantClaim()));
    if (tenant == null || !tenant.equals(agent.tenant())) {
      throw new IdentityException(
          IdentityException.Kind.TENANT_MISMATCH, "the user does not belong to the agent's tenant");
    }
    return new UserRef(
        id,
        tenant,
        strings(v.claims(), issuer.rolesClaim()),
        strings(v.claims(), issuer.groupsClaim()),
        true);
  }

  /**
   * A person an operator token proves, outside any agent's call: an approver signing in. {@code
   * tenant} is the tenant the token proves (the issuer's {@code tenant}, else its tenant claim), or
   * null when it names none; {@code audiences} are the token's {@code aud}.
   */
  public record Person(
      String issuer, String id, Set<String> roles, String tenant, Set<String> audiences) {}

  /**
   * The person an operator {@code token} proves: signature, issuer and expiry verified as for a
   * delegating user's token, but issued for one of {@code operatorAudiences} (by issuer name) and
   * for none of the audiences agents' and delegating users' tokens carry ({@link
   * TokenVerifier#verifyOperator}); named by the issuer's user claim, with the roles it carries.
   * {@code issuer} is the configured issuer's name.
   *
   * @throws IdentityException DELEGATION_TOKEN for a delegating user's token; INVALID_USER_TOKEN
   *     when the token is not valid, names nobody, or is a registered agent's (an agent is never a
   *     person)
   */
  public Person authenticatePerson(String token, Map<String, Set<String>> operatorAudiences)
      throws IdentityException {
    if (token.length() > 16_384 || !TokenVerifier.looksLikeJwt(token)) {
      throw new IdentityException(
          IdentityException.Kind.INVALID_USER_TOKEN, "the token is not a JWT");
    }
    TokenVerifier.Verified v =
        verifier.verifyOperator(
            token, operatorAudiences, IdentityException.Kind.INVALID_USER_TOKEN);
    IssuerSpec issuer = v.issuer();
    String client = clientOf(v);
    if (client != null && byClient.containsKey(issuer.name() + "\n" + client)) {
      throw new IdentityException(
          IdentityException.Kind.INVALID_USER_TOKEN, "this is an agent's token, not a person's");
    }
    String id = text(v.claims(), issuer.userClaim());
    if (id == null || id.isBlank()) {
      throw new IdentityException(
          IdentityException.Kind.INVALID_USER_TOKEN,
          "the token has no '" + issuer.userClaim() + "' claim naming the person");
    }
    String tenant = issuer.tenant().orElseGet(() -> text(v.claims(), issuer.tenantClaim()));
    return new Person(
        issuer.name(),
        id,
        strings(v.claims(), issuer.rolesClaim()),
        tenant,
        Set.copyOf(v.claims().getAudience()));
  }

  /**
   * Whether {@code credential} is a valid token of the kind agents' calls carry (one of its
   * issuer's {@code audiences}) and not a registered agent's: a delegating user's token.
   */
  public boolean isDelegationToken(String credential) {
    if (credential == null
        || credential.length() > 16_384
        || !TokenVerifier.looksLikeJwt(credential)) {
      return false;
    }
    try {
      TokenVerifier.Verified v =
          verifier.verify(credential, IdentityException.Kind.INVALID_USER_TOKEN);
      String client = clientOf(v);
      return client == null || !byClient.containsKey(v.issuer().name() + "\n" + client);
    } catch (IdentityException e) {
      return false;
    }
  }

  /**
   * The OAuth client a token was issued to: the issuer's configured claim; by default {@code
   * client_id} (RFC 9068), else {@code azp}, else {@code sub} (which names the client in a
   * client-credentials grant).
   */
  private static String clientOf(TokenVerifier.Verified v) {
    String configured = v.issuer().clientClaim();
    if (!configured.equals(IssuerSpec.DEFAULT_CLIENT_CLAIM)) {
      return text(v.claims(), configured);
    }
    for (String claim : List.of("client_id", "azp", "sub")) {
      String value = text(v.claims(), claim);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static String text(JWTClaimsSet claims, String name) {
    try {
      return claims.getStringClaim(name);
    } catch (ParseException e) {
      return null;
    }
  }

  /** A claim that is a list of strings, a single string, or a dotted path into objects. */
  private static Set<String> strings(JWTClaimsSet claims, String path) {
    Object value = claims.getClaim(path);
    if (value == null && path.contains(".")) {
      Object at = claims.getClaims();
      for (String part : path.split("\\.", -1)) {
        at = at instanceof Map<?, ?> m ? m.get(part) : null;
      }
      value = at;
    }
    List<String> out = new ArrayList<>();
    if (value instanceof Collection<?> c) {
      c.forEach(x -> out.add(String.valueOf(x)));
    } else if (value instanceof String s) {
      out.addAll(List.of(s.split(" ", -1)));
    }
    return Set.copyOf(out);
  }
}
