package dev.portcullis.identity;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An agent as configured: its identity, the hashes of the API keys it may present, and the OAuth
 * client (issuer and client id) whose client-credentials tokens prove it. At least one way in.
 */
public record AgentSpec(
    String id,
    String tenant,
    String description,
    List<String> keyHashes,
    Optional<OAuthClient> oauth) {

  /**
   * The OAuth 2.0 client an agent authenticates as: tokens from {@code issuer} naming {@code
   * clientId}.
   */
  public record OAuthClient(String issuer, String clientId) {
    public OAuthClient {
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(clientId, "clientId");
    }
  }

  public AgentSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(description, "description");
    keyHashes = List.copyOf(keyHashes);
    Objects.requireNonNull(oauth, "oauth");
  }
}
