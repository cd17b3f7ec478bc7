package dev.portcullis.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.testing.Invocations;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretSources;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP Basic credentials (Jira Cloud API tokens, ServiceNow accounts) against a real server. */
class HttpBasicAuthTest {
  private static final String TOKEN = "ATATT3xFfGF0-basic-token-value";

  @TempDir Path data;
  private HttpServer upstream;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    upstream =
        HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext(
        "/",
        ex -> {
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          authorizations.add(auth);
          // A careless upstream that echoes the credential it was sent, in both forms.
          byte[] body =
              ("{\"echo\":\"" + auth + "\",\"raw\":\"" + TOKEN + "\"}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    upstream.start();
  }

  @AfterEach
  void stop() {
    upstream.stop(0);
  }

  @Test
  void sendsUserAndSecretAsBasicAndMasksAnyEchoOfEitherForm() {
    HttpOperation op =
        new HttpOperation(
            "t",
            "GET",
            UrlTemplate.parse("/x"),
            List.of(),
            HttpOperation.BodyMode.NONE,
            Duration.ofSeconds(5));
    HttpConnector c =
        new HttpConnector(
            "jira",
            URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()),
            Optional.of(new HttpAuth.Basic("bot@example.com", SecretRef.parse("env:JIRA_TOKEN"))),
            Map.of("t", op),
            new SecretSources(Map.of("JIRA_TOKEN", TOKEN), data),
            Duration.ofSeconds(2),
            Invocations.JSON);

    ConnectorResult r = c.invoke(Invocations.call("bot", "t", "{}"));

    String encoded =
        Base64.getEncoder()
            .encodeToString(("bot@example.com:" + TOKEN).getBytes(StandardCharsets.UTF_8));
    assertThat(authorizations).containsExactly("Basic " + encoded);
    assertThat(r)
        .isInstanceOfSatisfying(
            ConnectorResult.Success.class,
            s -> {
              assertThat(s.value().toString()).doesNotContain(TOKEN).doesNotContain(encoded);
              assertThat(s.credential().echoMasked()).isTrue();
            });
  }
}
