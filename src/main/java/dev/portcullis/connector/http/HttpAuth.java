package dev.portcullis.connector.http;

import dev.portcullis.vault.SecretRef;
import java.net.URI;
import java.util.Objects;

/**
 * How a connector presents its credential upstream. Holds references only; values are resolved per
 * call.
 */
public sealed interface HttpAuth {
  /** A secret sent as-is in a header: {@code Authorization: Bearer <secret>}, or a named header. */
  record StaticSecret(String header, String prefix, SecretRef secret) implements HttpAuth {
    public StaticSecret {
      Objects.requireNonNull(header, "header");
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(secret, "secret");
    }
  }

  /**
   * HTTP Basic (RFC 7617): {@code Authorization: Basic base64(username:password)}, the password (or
   * API token, as Jira Cloud and ServiceNow take it) resolved from its reference per call.
   */
  record Basic(String username, SecretRef password) implements HttpAuth {
    public Basic {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      if (username.indexOf(':') >= 0) {
        throw new IllegalArgumentException("a Basic user name cannot contain ':'");
      }
    }

    /** The header value for {@code password}. */
    public String header(String password) {
      return "Basic "
          + java.util.Base64.getEncoder()
              .encodeToString(
                  (username + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /**
   * OAuth 2.0 client credentials (RFC 6749 §4.4): an access token fetched from {@code tokenUri}
   * with the client's secret (HTTP Basic, §2.3.1), cached until shortly before it expires, and sent
   * as {@code Authorization: Bearer}. The client secret only ever goes to the token endpoint.
   */
  record ClientCredentials(URI tokenUri, String clientId, SecretRef clientSecret, String scope)
      implements HttpAuth {
    public ClientCredentials {
      Objects.requireNonNull(tokenUri, "tokenUri");
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(clientSecret, "clientSecret");
    }
  }

  static HttpAuth bearer(SecretRef secret) {
    return new StaticSecret("Authorization", "Bearer ", secret);
  }

  static HttpAuth header(String name, SecretRef secret) {
    return new StaticSecret(name, "", secret);
  }
}
