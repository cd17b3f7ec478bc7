package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.Test;

class OidcSmokeTest {
  @Test
  void issuesAToken() {
    MockOAuth2Server server = new MockOAuth2Server();
    server.start();
    try {
      String token = server.issueToken("agents", "support-bot", "portcullis").serialize();
      assertThat(token.split("\\.")).hasSize(3);
      assertThat(server.jwksUrl("agents").toString()).contains("/agents/jwks");
      System.out.println(server.issuerUrl("agents"));
    } finally {
      server.shutdown();
    }
  }
}
