package dev.portcullis.identity;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * An issuer's signing keys found through OpenID Connect discovery: the first use reads {@code
 * jwks_uri} from the issuer's {@code /.well-known/openid-configuration}, then behaves as a cached,
 * refreshing key source. Discovery is retried on the next use if it fails; nothing happens at load,
 * so a configuration can be checked offline.
 */
final class DiscoveredJwkSource implements JWKSource<SecurityContext> {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final String issuer;
  private volatile JWKSource<SecurityContext> delegate;

  DiscoveredJwkSource(String issuer) {
    this.issuer = issuer;
  }

  @Override
  public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
    JWKSource<SecurityContext> d = delegate;
    if (d == null) {
      synchronized (this) {
        if (delegate == null) {
          delegate = discover();
        }
        d = delegate;
      }
    }
    return d.get(selector, context);
  }

  private JWKSource<SecurityContext> discover() throws KeySourceException {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI wellKnown = URI.create(base + "/.well-known/openid-configuration");
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(wellKnown).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      String jwks =
          r.statusCode() == 200 ? JSON.readTree(r.body()).path("jwks_uri").asString("") : "";
      if (jwks.isEmpty()) {
        throw new KeySourceException(
            "no jwks_uri in " + wellKnown + " (HTTP " + r.statusCode() + ")");
      }
      return JWKSourceBuilder.<SecurityContext>create(URI.create(jwks).toURL())
          .retrying(true)
          .build();
    } catch (IOException | IllegalArgumentException e) {
      throw new KeySourceException(
          "cannot discover the keys of " + issuer + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeySourceException("interrupted while discovering the keys of " + issuer, e);
    }
  }
}
