package dev.portcullis.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies JWTs from the configured issuers: signature with the issuer's published keys (cached,
 * and fetched again when an unknown key id appears, so key rotation needs no restart), {@code iss}
 * exactly, {@code aud} containing one of the issuer's audiences, {@code exp} required, {@code nbf}
 * honoured, within the issuer's clock skew.
 *
 * <p>Security: the issuer is read from the token only to choose which issuer's keys to check it
 * with; a token is trusted only once that issuer's signature verifies. Unsigned tokens ({@code alg:
 * none}), symmetric algorithms and algorithms an issuer is not configured for are refused.
 *
 * <p>Concurrency: the processors are thread-safe; the key sources cache and refresh internally.
 */
public final class TokenVerifier {
  private final Map<String, Entry> byIssuer;

  /**
   * One issuer: its processor for agents' and delegating users' tokens (its {@code audiences}), and
   * one that leaves the audience to {@link #verifyOperator} (requiring an {@code aud}).
   */
  private record Entry(
      IssuerSpec spec,
      DefaultJWTProcessor<SecurityContext> processor,
      DefaultJWTProcessor<SecurityContext> operator) {}

  public TokenVerifier(List<IssuerSpec> issuers, Clock clock) {
    Map<String, Entry> map = new HashMap<>();
    for (IssuerSpec spec : issuers) {
      JWKSource<SecurityContext> keys = keys(spec);
      map.put(
          spec.issuer(),
          new Entry(
              spec,
              processor(spec, keys, clock, new HashSet<>(spec.audiences()), Set.of()),
              processor(spec, keys, clock, null, Set.of("aud"))));
    }
    this.byIssuer = Map.copyOf(map);
  }

  /** Whether {@code credential} has the shape of a JWT (three dot-separated parts). */
  public static boolean looksLikeJwt(String credential) {
    return credential.chars().filter(c -> c == '.').count() == 2;
  }

  /** The verified claims and the issuer that vouched for them. */
  public record Verified(IssuerSpec issuer, JWTClaimsSet claims) {}

  /**
   * Verifies {@code token}.
   *
   * @throws IdentityException of {@code kind} with a reason safe to return to the caller
   */
  public Verified verify(String token, IdentityException.Kind kind) throws IdentityException {
    Entry entry = entry(token, kind);
    return process(entry.processor(), entry, token, kind);
  }

  /**
   * Verifies an operator's {@code token}: as {@link #verify}, except for the audience, which must
   * be one of {@code operatorAudiences} (by configured issuer name) and must not be any of the
   * issuer's {@code audiences}: a token an agent could present as its user's delegation token never
   * opens the operator API, whatever else it carries (RFC 8707/9068: one audience, one resource).
   *
   * @throws IdentityException DELEGATION_TOKEN when the token carries an audience of agents' and
   *     delegating users' tokens; {@code kind} for anything else
   */
  public Verified verifyOperator(
      String token, Map<String, Set<String>> operatorAudiences, IdentityException.Kind kind)
      throws IdentityException {
    Entry entry = entry(token, kind);
    Set<String> wanted = operatorAudiences.getOrDefault(entry.spec().name(), Set.of());
    if (wanted.isEmpty()) {
      throw new IdentityException(
          kind, "the token's issuer signs no operator tokens for this gateway");
    }
    Verified v = process(entry.operator(), entry, token, kind);
    List<String> audience = v.claims().getAudience();
    if (audience.stream().anyMatch(entry.spec().audiences()::contains)) {
      throw new IdentityException(
          IdentityException.Kind.DELEGATION_TOKEN,
          "the token is for agents' calls (audience "
              + String.join(", ", entry.spec().audiences())
              + "): it can prove the user an agent acts for, never an"
              + " operator");
    }
    if (audience.stream().noneMatch(wanted::contains)) {
      throw new IdentityException(
          kind,
          "the token is not for this gateway's operator API (audience "
              + String.join(", ", wanted)
              + ")");
    }
    return v;
  }

  private Entry entry(String token, IdentityException.Kind kind) throws IdentityException {
    String issuer;
    try {
      var parsed = JWTParser.parse(token);
      if (!(parsed instanceof SignedJWT)) {
        throw new IdentityException(
            kind, "the token is not signed; unsigned tokens (alg none) are refused");
      }
      issuer = parsed.getJWTClaimsSet().getIssuer();
    } catch (ParseException e) {
      throw new IdentityException(kind, "the token is not a well-formed JWT");
    }
    Entry entry = issuer == null ? null : byIssuer.get(issuer);
    if (entry == null) {
      throw new IdentityException(kind, "the token's issuer is not trusted by this gateway");
    }
    return entry;
  }

  private static Verified process(
      DefaultJWTProcessor<SecurityContext> processor,
      Entry entry,
      String token,
      IdentityException.Kind kind)
      throws IdentityException {
    try {
      return new Verified(entry.spec(), processor.process(token, null));
    } catch (BadJWTException e) {
      throw new IdentityException(kind, "the token was refused: " + e.getMessage());
    } catch (BadJOSEException e) {
      throw new IdentityException(
          kind, "the token's signature or algorithm was refused: " + e.getMessage());
    } catch (com.nimbusds.jose.KeySourceException e) {
      // Unreachable keys come as JWKSetUnavailableException, a sibling of RemoteKeySourceException.
      throw new IdentityException(
          kind, "the issuer's signing keys cannot be fetched right now; try again");
    } catch (com.nimbusds.jose.JOSEException | ParseException e) {
      throw new IdentityException(kind, "the token cannot be verified: " + e.getMessage());
    }
  }

  /**
   * {@code audiences} null accepts any audience (the caller checks it); {@code extra} claims are
   * required too.
   */
  private static DefaultJWTProcessor<SecurityContext> processor(
      IssuerSpec spec,
      JWKSource<SecurityContext> keys,
      Clock clock,
      Set<String> audiences,
      Set<String> extra) {
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT,
            new JOSEObjectType("at+jwt"),
            new JOSEObjectType("application/at+jwt"),
            null));
    Set<JWSAlgorithm> algorithms =
        spec.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
    p.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
    Set<String> required = new HashSet<>(Set.of("exp", "iss"));
    required.addAll(extra);
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            audiences,
            new JWTClaimsSet.Builder().issuer(spec.issuer()).build(),
            required,
            Set.of()) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    claims.setMaxClockSkew((int) spec.clockSkew().toSeconds());
    p.setJWTClaimsSetVerifier(claims);
    return p;
  }

  private static JWKSource<SecurityContext> keys(IssuerSpec spec) {
    Optional<java.net.URI> uri = spec.jwksUri();
    if (uri.isEmpty()) {
      return new DiscoveredJwkSource(spec.issuer());
    }
    try {
      return JWKSourceBuilder.<SecurityContext>create(uri.get().toURL()).retrying(true).build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("jwksUri " + uri.get() + " is not a URL", e);
    }
  }
}
