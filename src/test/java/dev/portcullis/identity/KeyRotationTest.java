package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An issuer rotates its signing key: tokens signed with the new key verify without a restart,
 * because an unknown key id makes the verifier fetch the published keys again.
 */
class KeyRotationTest {
  private static final String ISSUER = "https://idp.test/realms/acme";

  private HttpServer jwks;
  private final AtomicReference<JWKSet> published = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();

  @BeforeEach
  void serveKeys() throws Exception {
    jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jwks.createContext(
        "/certs",
        ex -> {
          fetches.incrementAndGet();
          byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    jwks.start();
  }

  @AfterEach
  void stop() {
    jwks.stop(0);
  }

  private static String sign(RSAKey key, String client) throws Exception {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience("portcullis")
            .subject(client)
            .claim("client_id", client)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  @Test
  void tokensSignedWithARotatedKeyVerifyWithoutARestart() throws Exception {
    RSAKey first = new RSAKeyGenerator(2048).keyID("k1").generate();
    RSAKey second = new RSAKeyGenerator(2048).keyID("k2").generate();
    RSAKey attacker = new RSAKeyGenerator(2048).keyID("k2").generate();
    published.set(new JWKSet(first.toPublicJWK()));
    IssuerSpec spec =
        new IssuerSpec(
            "idp",
            ISSUER,
            Optional.of(URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/certs")),
            List.of("portcullis"),
            List.of("RS256"),
            Duration.ofSeconds(60),
            Optional.of("acme"),
            "tenant",
            "client_id",
            "sub",
            "roles",
            "groups");
    TokenVerifier verifier = new TokenVerifier(List.of(spec), Clock.systemUTC());

    assertThat(verifier.verify(sign(first, "bot"), IdentityException.Kind.INVALID_AGENT_CREDENTIAL))
        .isNotNull();
    assertThat(verifier.verify(sign(first, "bot"), IdentityException.Kind.INVALID_AGENT_CREDENTIAL))
        .isNotNull();
    assertThat(fetches).as("keys are cached between tokens").hasValue(1);

    published.set(new JWKSet(List.of(second.toPublicJWK())));

    assertThat(
            verifier
                .verify(sign(second, "bot"), IdentityException.Kind.INVALID_AGENT_CREDENTIAL)
                .claims()
                .getSubject())
        .isEqualTo("bot");
    IdentityException forged =
        catchThrowableOfType(
            IdentityException.class,
            () ->
                verifier.verify(
                    sign(attacker, "bot"), IdentityException.Kind.INVALID_AGENT_CREDENTIAL));
    assertThat(forged).isNotNull();
    assertThat(forged.getMessage()).contains("signature");
  }
}
