package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Token checks against a real OIDC server's keys. The verifier reads time from an injected clock,
 * so each check sets the clock to an exact instant relative to the token's own {@code exp} and
 * {@code nbf} (whole seconds, as a JWT carries them).
 */
class TokenVerifierTest {
  private static final IdentityException.Kind KIND =
      IdentityException.Kind.INVALID_AGENT_CREDENTIAL;
  private MockOAuth2Server idp;

  @BeforeEach
  void start() {
    idp = new MockOAuth2Server();
    idp.start();
  }

  @AfterEach
  void stop() {
    idp.shutdown();
  }

  private IssuerSpec spec(Duration skew, List<String> algorithms) {
    return new IssuerSpec(
        "agents",
        idp.issuerUrl("agents").toString(),
        Optional.of(URI.create(idp.jwksUrl("agents").toString())),
        List.of("portcullis"),
        algorithms,
        skew,
        Optional.of("acme"),
        "tenant",
        "client_id",
        "sub",
        "roles",
        "groups");
  }

  private TokenVerifier verifierAt(Instant now) {
    return verifierAt(now, Duration.ofSeconds(60));
  }

  private TokenVerifier verifierAt(Instant now, Duration skew) {
    return new TokenVerifier(
        List.of(spec(skew, List.of("RS256"))), Clock.fixed(now, ZoneOffset.UTC));
  }

  private String token() {
    return idp.issueToken("agents", "support-client", "portcullis", Map.of(), 600).serialize();
  }

  private String typedToken(String type) {
    return idp.issueToken(
            "agents",
            "unused",
            new DefaultOAuth2TokenCallback(
                "agents", "support-client", type, List.of("portcullis"), Map.of(), 600))
        .serialize();
  }

  private static Instant exp(String token) throws Exception {
    return SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
  }

  private static Instant nbf(String token) throws Exception {
    return SignedJWT.parse(token).getJWTClaimsSet().getNotBeforeTime().toInstant();
  }

  private static IdentityException refusal(TokenVerifier verifier, String token) {
    return catchThrowableOfType(IdentityException.class, () -> verifier.verify(token, KIND));
  }

  @Test
  void acceptsATokenWithinItsLifetime() throws Exception {
    String token = token();
    TokenVerifier.Verified v = verifierAt(nbf(token).plusSeconds(1)).verify(token, KIND);

    assertThat(v.claims().getSubject()).isEqualTo("support-client");
    assertThat(v.issuer().name()).isEqualTo("agents");
  }

  @Test
  void refusesATokenNotYetValid() {
    IdentityException e = refusal(verifierAt(Instant.now().minus(Duration.ofHours(1))), token());

    assertThat(e.kind()).isEqualTo(KIND);
    assertThat(e.getMessage()).isEqualTo("the token was refused: JWT before use time");
  }

  @Test
  void refusesATokenPastItsExpiryBeyondTheClockSkew() {
    IdentityException e =
        catchThrowableOfType(
            IdentityException.class,
            () ->
                verifierAt(Instant.now().plus(Duration.ofMinutes(12)))
                    .verify(token(), IdentityException.Kind.INVALID_USER_TOKEN));

    assertThat(e.kind()).isEqualTo(IdentityException.Kind.INVALID_USER_TOKEN);
    assertThat(e.getMessage()).isEqualTo("the token was refused: Expired JWT");
  }

  @Test
  void expiryHoldsUntilTheLastMillisecondOfTheSkewAndNotAtIt() throws Exception {
    String token = token();
    Instant limit = exp(token).plusSeconds(60);

    assertThat(verifierAt(limit.minusMillis(1)).verify(token, KIND)).isNotNull();
    assertThat(refusal(verifierAt(limit), token).getMessage())
        .isEqualTo("the token was refused: Expired JWT");
  }

  @Test
  void notBeforeHoldsUntilTheSkewBeforeIt() throws Exception {
    String token = token();
    Instant limit = nbf(token).minusSeconds(60);

    // RFC 7519 accepts a token at its nbf exactly; Nimbus refuses that one instant (stricter, so
    // not tested here). A millisecond either side is what matters.
    assertThat(verifierAt(limit.plusMillis(1)).verify(token, KIND)).isNotNull();
    assertThat(refusal(verifierAt(limit.minusMillis(1)), token).getMessage())
        .isEqualTo("the token was refused: JWT before use time");
  }

  @Test
  void theConfiguredClockSkewIsTheOneApplied() throws Exception {
    String token = token();

    assertThat(refusal(verifierAt(exp(token), Duration.ZERO), token).getMessage())
        .isEqualTo("the token was refused: Expired JWT");
    assertThat(verifierAt(exp(token).plusSeconds(299), Duration.ofMinutes(5)).verify(token, KIND))
        .isNotNull();
    assertThat(refusal(verifierAt(exp(token).plusSeconds(300), Duration.ofMinutes(5)), token))
        .isNotNull();
    assertThat(refusal(verifierAt(nbf(token).minusMillis(1), Duration.ZERO), token).getMessage())
        .isEqualTo("the token was refused: JWT before use time");
  }

  @Test
  void acceptsAnAccessTokenTypedAsRfc9068Says() throws Exception {
    for (String type : List.of("at+jwt", "application/at+jwt", "JWT")) {
      String token = typedToken(type);

      assertThat(verifierAt(nbf(token).plusSeconds(1)).verify(token, KIND).claims().getSubject())
          .as(type)
          .isEqualTo("support-client");
    }
  }

  @Test
  void refusesATokenOfAnotherType() throws Exception {
    String token = typedToken("logout+jwt");

    IdentityException e = refusal(verifierAt(nbf(token).plusSeconds(1)), token);

    assertThat(e.kind()).isEqualTo(KIND);
    assertThat(e.getMessage())
        .startsWith("the token's signature or algorithm was refused: ")
        .contains("logout+jwt");
  }

  @Test
  void refusesATokenWithoutAnIssuer() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID("k1").build(),
            new JWTClaimsSet.Builder()
                .subject("support-client")
                .audience("portcullis")
                .expirationTime(Date.from(Instant.now().plusSeconds(600)))
                .build());
    jwt.sign(new RSASSASigner(key));

    IdentityException e = refusal(verifierAt(Instant.now()), jwt.serialize());

    assertThat(e.kind()).isEqualTo(KIND);
    assertThat(e.getMessage()).isEqualTo("the token's issuer is not trusted by this gateway");
  }

  @Test
  void refusesATokenFromAnIssuerNotConfigured() throws Exception {
    String foreign =
        idp.issueToken("elsewhere", "support-client", "portcullis", Map.of(), 600).serialize();

    assertThat(refusal(verifierAt(nbf(foreign).plusSeconds(1)), foreign).getMessage())
        .isEqualTo("the token's issuer is not trusted by this gateway");
  }

  @Test
  void refusesAnUnsignedOrMalformedToken() {
    String unsigned =
        new PlainJWT(
                new JWTClaimsSet.Builder()
                    .issuer(idp.issuerUrl("agents").toString())
                    .subject("support-client")
                    .audience("portcullis")
                    .expirationTime(Date.from(Instant.now().plusSeconds(600)))
                    .build())
            .serialize();

    assertThat(refusal(verifierAt(Instant.now()), unsigned).getMessage())
        .isEqualTo("the token is not signed; unsigned tokens (alg none) are refused");
    assertThat(refusal(verifierAt(Instant.now()), "a.b.c").getMessage())
        .isEqualTo("the token is not a well-formed JWT");
  }

  @Test
  void refusesAnAlgorithmTheIssuerIsNotConfiguredFor() throws Exception {
    String token = token();
    TokenVerifier es256Only =
        new TokenVerifier(
            List.of(spec(Duration.ofSeconds(60), List.of("ES256"))),
            Clock.fixed(nbf(token).plusSeconds(1), ZoneOffset.UTC));

    assertThat(refusal(es256Only, token).getMessage())
        .startsWith("the token's signature or algorithm was refused: ");
  }

  @Test
  void refusesATokenForAnotherAudience() throws Exception {
    String otherAudience =
        idp.issueToken("agents", "support-client", "someone-else", Map.of(), 600).serialize();

    assertThat(refusal(verifierAt(nbf(otherAudience).plusSeconds(1)), otherAudience).getMessage())
        .startsWith("the token was refused: ");
  }

  @Test
  void saysSoWhenTheIssuersKeysCannotBeFetched() throws Exception {
    String token = token();
    URI jwks = URI.create(idp.jwksUrl("agents").toString());
    idp.shutdown();
    IssuerSpec spec =
        new IssuerSpec(
            "agents",
            idp.issuerUrl("agents").toString(),
            Optional.of(jwks),
            List.of("portcullis"),
            List.of("RS256"),
            Duration.ofSeconds(60),
            Optional.empty(),
            "tenant",
            "client_id",
            "sub",
            "roles",
            "groups");
    TokenVerifier verifier =
        new TokenVerifier(List.of(spec), Clock.fixed(nbf(token).plusSeconds(1), ZoneOffset.UTC));

    assertThat(refusal(verifier, token).getMessage())
        .isEqualTo("the issuer's signing keys cannot be fetched right now; try again");
    idp = new MockOAuth2Server();
    idp.start();
  }

  @Test
  void aJwtIsThreeDotSeparatedParts() {
    assertThat(TokenVerifier.looksLikeJwt("a.b.c")).isTrue();
    assertThat(TokenVerifier.looksLikeJwt("a.b")).isFalse();
    assertThat(TokenVerifier.looksLikeJwt("a.b.c.d")).isFalse();
    assertThat(TokenVerifier.looksLikeJwt("pcl_key")).isFalse();
  }

  @Test
  void withoutAJwksUriTheKeysAreDiscoveredFromTheIssuer() throws Exception {
    String token = token();
    IssuerSpec discovered =
        new IssuerSpec(
            "agents",
            idp.issuerUrl("agents").toString(),
            Optional.empty(),
            List.of("portcullis"),
            List.of("RS256"),
            Duration.ofMinutes(1),
            Optional.empty(),
            "tenant",
            "client_id",
            "sub",
            "roles",
            "groups");
    TokenVerifier verifier =
        new TokenVerifier(
            List.of(discovered), Clock.fixed(nbf(token).plusSeconds(1), ZoneOffset.UTC));

    assertThat(verifier.verify(token, KIND).claims().getSubject()).isEqualTo("support-client");
  }
}
