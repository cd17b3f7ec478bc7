package dev.portcullis.connector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connector's HTTP client against a real HTTP server: what it reads, and its connections. */
class UpstreamHttpClientTest {
  private static final long ENDLESS = 256L * 1024 * 1024;

  private HttpServer server;
  private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();
  private final AtomicLong endlessWritten = new AtomicLong();
  private final CountDownLatch endlessDone = new CountDownLatch(1);
  private final UpstreamHttpClient client = new UpstreamHttpClient(Duration.ofSeconds(2));

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/small",
        ex -> {
          clientPorts.add(ex.getRemoteAddress().getPort());
          byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.createContext(
        "/endless",
        ex -> {
          clientPorts.add(ex.getRemoteAddress().getPort());
          ex.sendResponseHeaders(200, 0); // chunked
          byte[] chunk = new byte[64 * 1024];
          try (OutputStream out = ex.getResponseBody()) {
            while (endlessWritten.get() < ENDLESS) {
              out.write(chunk);
              endlessWritten.addAndGet(chunk.length);
            }
          } catch (IOException closedByTheClient) {
            // expected: the client stops reading at its limit and closes the connection
          } finally {
            endlessDone.countDown();
          }
        });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(0);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private UpstreamHttpClient.Answer get(String path, int maxBytes) throws IOException {
    return client.send(new HttpGet(uri(path)), Duration.ofSeconds(10), maxBytes);
  }

  @Test
  void readsAWholeAnswerAndReusesItsConnection() throws IOException {
    UpstreamHttpClient.Answer first = get("/small", 1024);
    UpstreamHttpClient.Answer second = get("/small", 1024);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.contentType()).contains("application/json");
    assertThat(new String(first.body().orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo("{\"ok\":true}");
    assertThat(second.body()).isPresent();
    assertThat(clientPorts).hasSize(2);
    assertThat(clientPorts.get(1))
        .as("the first connection went back to the pool")
        .isEqualTo(clientPorts.get(0));
  }

  @Test
  void anAnswerOverTheLimitIsNotDrainedAndItsConnectionIsNotReused() throws Exception {
    UpstreamHttpClient.Answer over = get("/endless", 1024);
    endlessDone.await();
    UpstreamHttpClient.Answer next = get("/small", 1024);

    assertThat(over.status()).isEqualTo(200);
    assertThat(over.body()).as("over the limit").isEmpty();
    assertThat(endlessWritten.get())
        .as("the server could not write the whole endless answer: the client closed it")
        .isLessThan(ENDLESS);
    assertThat(next.body()).isPresent();
    assertThat(clientPorts.get(1)).isNotEqualTo(clientPorts.get(0));
  }

  @Test
  void aCallAfterCloseIsAnIoFailure() {
    client.close();

    assertThatThrownBy(() -> get("/small", 1024))
        .isInstanceOf(IOException.class)
        .hasMessage("the connector's HTTP client is closed");
    assertThat(clientPorts).isEmpty();
  }

  @Test
  void anHttpsUpstreamIsStillSpokenToOverTls() throws Exception {
    // TLS is built at the first https connection, not with the client: it must still be used then
    try (java.net.ServerSocket upstream =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var firstByte = new java.util.concurrent.CompletableFuture<Integer>();
      Thread.ofVirtual()
          .start(
              () -> {
                try (java.net.Socket s = upstream.accept()) {
                  firstByte.complete(s.getInputStream().read());
                } catch (IOException e) {
                  firstByte.completeExceptionally(e);
                }
              });
      URI https = URI.create("https://127.0.0.1:" + upstream.getLocalPort() + "/small");

      assertThatThrownBy(() -> client.send(new HttpGet(https), Duration.ofSeconds(2), 1024))
          .isInstanceOf(IOException.class);
      assertThat(firstByte.get(5, java.util.concurrent.TimeUnit.SECONDS))
          .as("a TLS handshake record (ClientHello), not a plain HTTP request")
          .isEqualTo(0x16);
    }
  }
}
