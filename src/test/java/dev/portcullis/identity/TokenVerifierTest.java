package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Token checks that need the clock moved: the verifier reads time from an injected clock. */
class TokenVerifierTest {
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

  private TokenVerifier verifierAt(Instant now) {
    IssuerSpec spec = new IssuerSpec("agents", idp.issuerUrl("agents").toString(),
        Optional.of(URI.create(idp.jwksUrl("agents").toString())), List.of("portcullis"), List.of("RS256"),
        Duration.ofSeconds(60), Optional.of("acme"), "tenant", "client_id", "sub", "roles", "groups");
    return new TokenVerifier(List.of(spec), Clock.fixed(now, ZoneOffset.UTC));
  }

  private String token() {
    return idp.issueToken("agents", "support-client", "portcullis", Map.of(), 600).serialize();
  }

  @Test
  void acceptsATokenWithinItsLifetime() throws Exception {
    TokenVerifier.Verified v = verifierAt(Instant.now()).verify(token(), IdentityException.Kind.INVALID_AGENT_CREDENTIAL);

    assertThat(v.claims().getSubject()).isEqualTo("support-client");
  }

  @Test
  void refusesATokenNotYetValid() {
    IdentityException e = catchThrowableOfType(IdentityException.class, () ->
        verifierAt(Instant.now().minus(Duration.ofHours(1))).verify(token(), IdentityException.Kind.INVALID_AGENT_CREDENTIAL));

    assertThat(e.kind()).isEqualTo(IdentityException.Kind.INVALID_AGENT_CREDENTIAL);
    assertThat(e.getMessage()).startsWith("the token was refused: ");
  }

  @Test
  void refusesATokenPastItsExpiryBeyondTheClockSkew() {
    IdentityException e = catchThrowableOfType(IdentityException.class, () ->
        verifierAt(Instant.now().plus(Duration.ofMinutes(12))).verify(token(), IdentityException.Kind.INVALID_USER_TOKEN));

    assertThat(e.kind()).isEqualTo(IdentityException.Kind.INVALID_USER_TOKEN);
    assertThat(e.getMessage()).contains("xpired");
  }

  @Test
  void allowsExpiryWithinTheClockSkew() throws Exception {
    assertThat(verifierAt(Instant.now().plus(Duration.ofSeconds(630)))
        .verify(token(), IdentityException.Kind.INVALID_AGENT_CREDENTIAL)).isNotNull();
  }
}
