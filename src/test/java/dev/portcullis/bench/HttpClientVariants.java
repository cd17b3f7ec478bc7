package dev.portcullis.bench;

import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.connector.http.HttpAuth;
import dev.portcullis.connector.http.HttpConnector;
import dev.portcullis.connector.http.HttpOperation;
import dev.portcullis.connector.http.UrlTemplate;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.testing.Invocations;
import dev.portcullis.vault.SecretRef;
import dev.portcullis.vault.SecretSources;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP clients the HTTP-client benchmark compares, each sending the same request (Acme's {@code
 * GET /api/customers/C-1001} with the connector's headers) and reading the whole answer as the
 * connector does (an input stream, at most 4 MiB + 1 bytes):
 *
 * <ul>
 *   <li>{@code jdk}: {@code java.net.http.HttpClient} as {@code HttpConnector} configured it up to
 *       section 10 of BENCHMARKS.md (HTTP/1.1, no redirects, connect timeout, default executor);
 *   <li>{@code jdk-direct}: the same with {@code executor(Runnable::run)};
 *   <li>{@code apache}: Apache HttpClient 5 classic, pooled connections, blocking I/O on the
 *       caller;
 *   <li>{@code connector}: the project's {@code HttpConnector} itself, whatever client it uses,
 *       with a bearer token and JSON parsing, as the gateway calls it.
 * </ul>
 */
final class HttpClientVariants {
  static final List<String> NAMES = List.of("jdk", "jdk-direct", "apache", "connector");
  private static final int MAX_BYTES = 4 * 1024 * 1024;
  private static final Duration CONNECT = Duration.ofSeconds(2);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** One client under test; {@link #call} sends one request and reads its answer. */
  interface Variant extends AutoCloseable {
    /** Sends the request; answers null on a 200, else what went wrong. */
    String call() throws IOException, InterruptedException;

    @Override
    void close();
  }

  private HttpClientVariants() {}

  static Variant open(String name, URI acme, String token, Path data) {
    URI customer = URI.create(acme + "/api/customers/C-1001");
    return switch (name) {
      case "jdk" -> new Jdk(jdkClient().build(), customer, token);
      case "jdk-direct" -> new Jdk(jdkClient().executor(Runnable::run).build(), customer, token);
      case "apache" -> new Apache(customer, token);
      case "connector" -> new Connector(acme, token, data);
      default -> throw new IllegalArgumentException("unknown client " + name);
    };
  }

  private static HttpClient.Builder jdkClient() {
    return HttpClient.newBuilder()
        .connectTimeout(CONNECT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1);
  }

  private static String traceparent() {
    return "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  }

  private record Jdk(HttpClient client, URI uri, String token) implements Variant {
    @Override
    public String call() throws IOException, InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .timeout(TIMEOUT)
              .header("Accept", "application/json")
              .header("User-Agent", "portcullis")
              .header("traceparent", traceparent())
              .header("Authorization", "Bearer " + token)
              .GET()
              .build();
      HttpResponse<InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        in.readNBytes(MAX_BYTES + 1);
      }
      return response.statusCode() == 200 ? null : "status " + response.statusCode();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  private static final class Apache implements Variant {
    private final CloseableHttpClient client;
    private final URI uri;
    private final String token;

    Apache(URI uri, String token) {
      this.uri = uri;
      this.token = token;
      PoolingHttpClientConnectionManager pool =
          PoolingHttpClientConnectionManagerBuilder.create()
              .setMaxConnTotal(64)
              .setMaxConnPerRoute(64)
              .setDefaultConnectionConfig(
                  ConnectionConfig.custom()
                      .setConnectTimeout(CONNECT.toMillis(), TimeUnit.MILLISECONDS)
                      .build())
              .build();
      this.client =
          HttpClients.custom()
              .setConnectionManager(pool)
              .disableRedirectHandling()
              .disableAutomaticRetries()
              .disableContentCompression()
              .disableCookieManagement()
              .disableAuthCaching()
              .setDefaultRequestConfig(
                  RequestConfig.custom().setResponseTimeout(Timeout.of(TIMEOUT)).build())
              .build();
    }

    @Override
    public String call() throws IOException {
      ClassicHttpRequest request =
          ClassicRequestBuilder.get(uri)
              .addHeader("Accept", "application/json")
              .addHeader("User-Agent", "portcullis")
              .addHeader("traceparent", traceparent())
              .addHeader("Authorization", "Bearer " + token)
              .build();
      return client.execute(
          request,
          response -> {
            try (InputStream in = response.getEntity().getContent()) {
              in.readNBytes(MAX_BYTES + 1);
            }
            return response.getCode() == 200 ? null : "status " + response.getCode();
          });
    }

    @Override
    public void close() {
      client.close(org.apache.hc.core5.io.CloseMode.GRACEFUL);
    }
  }

  private static final class Connector implements Variant {
    private static final String TOOL = "crm_get_customer";
    private final HttpConnector connector;
    private final Invocation invocation =
        Invocations.call("agent-a", TOOL, "{\"customerId\":\"C-1001\"}");

    Connector(URI acme, String token, Path data) {
      HttpOperation op =
          new HttpOperation(
              TOOL,
              "GET",
              UrlTemplate.parse("/customers/{customerId}"),
              List.of(),
              HttpOperation.BodyMode.NONE,
              TIMEOUT);
      this.connector =
          new HttpConnector(
              "acme",
              URI.create(acme + "/api"),
              Optional.of(
                  new HttpAuth.StaticSecret(
                      "Authorization", "Bearer ", SecretRef.parse("env:ACME_TOKEN"))),
              Map.of(TOOL, op),
              new SecretSources(Map.of("ACME_TOKEN", token), data),
              CONNECT,
              Invocations.JSON);
    }

    @Override
    public String call() {
      ConnectorResult r = connector.invoke(invocation);
      return r instanceof ConnectorResult.Failure f ? f.kind() + ": " + f.detail() : null;
    }

    @Override
    public void close() {
      connector.close();
    }
  }
}
