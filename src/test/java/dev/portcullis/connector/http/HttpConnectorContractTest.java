package dev.portcullis.connector.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorContract;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.SecretForms;
import dev.portcullis.vault.SecretResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The connector contract for {@link HttpConnector} with a bearer credential, against a real HTTP
 * server that answers {@code {"path": …}} (the echo mode adds the credential it got and the older
 * live one, in every form of {@link SecretForms}).
 */
class HttpConnectorContractTest extends ConnectorContract {
  private HttpServer upstream;
  private final AtomicLong requests = new AtomicLong();
  private volatile boolean failing;
  private volatile boolean echoing;
  private boolean unreachable;

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/", this::answer);
    upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    upstream.start();
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop(0);
  }

  private void answer(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    String path = ex.getRequestURI().getRawPath();
    String echo = "";
    if (echoing) {
      String received =
          ex.getRequestHeaders().getFirst("Authorization").substring("Bearer ".length());
      List<String> forms = new ArrayList<>(SecretForms.of(received));
      forms.addAll(SecretForms.of(OLDER_SECRET));
      String listed = Invocations.JSON.writeValueAsString(forms);
      // each form as a JSON string, and the whole list again as JSON text inside a string, so
      // that the forms' own escapes survive the first parse
      echo =
          ", \"auth\": \"Bearer "
              + received
              + "\", \"forms\": "
              + listed
              + ", \"nested\": "
              + Invocations.JSON.writeValueAsString(listed);
    }
    byte[] body = ("{\"path\": \"" + path + "\"" + echo + "}").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(failing ? 503 : 200, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  @Override
  protected Connector newConnector(SecretResolver secrets) throws IOException {
    int port = upstream.getAddress().getPort();
    if (unreachable) {
      try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = closed.getLocalPort();
      }
    }
    Map<String, HttpOperation> ops =
        Map.of(
            TOOL, operation(TOOL, "/items/{id}"),
            OTHER_TOOL, operation(OTHER_TOOL, "/other-items/{id}"));
    return new HttpConnector(
        CONNECTOR,
        URI.create("http://127.0.0.1:" + port + "/api"),
        Optional.of(HttpAuth.bearer(SECRET_REF)),
        ops,
        secrets,
        Duration.ofSeconds(2),
        Invocations.JSON);
  }

  private static HttpOperation operation(String tool, String path) {
    return new HttpOperation(
        tool,
        "GET",
        UrlTemplate.parse(path),
        List.of(),
        HttpOperation.BodyMode.NONE,
        Duration.ofSeconds(5));
  }

  @Override
  protected Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  @Override
  protected void makeUpstreamFail() {
    failing = true;
  }

  @Override
  protected void makeUpstreamUnreachable() {
    unreachable = true;
  }

  @Override
  protected void makeUpstreamEchoTheCredential() {
    echoing = true;
  }

  @Override
  protected long requestsReceived() {
    return requests.get();
  }
}
