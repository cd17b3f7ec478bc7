package dev.portcullis.identity;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A trusted token issuer (an OAuth 2.0 / OIDC authorization server): where its signing keys are,
 * which audiences and algorithms it may use, and how its claims name clients, users, roles, groups
 * and the tenant. {@code jwksUri} empty means: discover it from the issuer's {@code
 * /.well-known/openid-configuration} at first use.
 */
public record IssuerSpec(
    String name,
    String issuer,
    Optional<URI> jwksUri,
    List<String> audiences,
    List<String> algorithms,
    Duration clockSkew,
    Optional<String> tenant,
    String tenantClaim,
    String clientClaim,
    String userClaim,
    String rolesClaim,
    String groupsClaim) {

  /**
   * The client claim when none is configured: {@code client_id}, then {@code azp}, then {@code
   * sub}.
   */
  public static final String DEFAULT_CLIENT_CLAIM = "client_id";

  public IssuerSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(jwksUri, "jwksUri");
    audiences = List.copyOf(audiences);
    algorithms = List.copyOf(algorithms);
    Objects.requireNonNull(clockSkew, "clockSkew");
    Objects.requireNonNull(tenant, "tenant");
  }
}
