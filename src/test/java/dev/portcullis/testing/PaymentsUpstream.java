package dev.portcullis.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A payment system that does not deduplicate: {@code POST /api/payments} executes every request it
 * receives whole, records it (its {@code Idempotency-Key} header and the body's {@code reference}),
 * and answers {@code 201 {"payment":"P-n"}}. Beside it, {@code POST /api/keyed-payments} honours
 * idempotency keys: a request under a key it has executed before answers that payment again and
 * executes nothing. It lives in the test's JVM, so it outlives any gateway process in front of it
 * and its record is the truth about what reached it.
 *
 * <p>A request whose body did not arrive whole (its sender died mid-send) is not executed and not
 * recorded. A write is recorded before it is answered, so one whose sender died while waiting for
 * the answer counts.
 */
public final class PaymentsUpstream implements AutoCloseable {
  /**
   * One executed write: the upstream idempotency key it carried (null if none) and its reference.
   */
  public record Write(String idempotencyKey, String reference) {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpServer server;
  private final ExecutorService threads;
  private final List<Write> writes = new CopyOnWriteArrayList<>();
  private final List<Write> keyedRequests = new CopyOnWriteArrayList<>();
  private final java.util.Map<String, Integer> keyedPayments = new java.util.HashMap<>();

  private PaymentsUpstream(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  /**
   * Starts it on a free loopback port; {@code executed} is told of each write once it is recorded.
   */
  public static PaymentsUpstream start(Consumer<Write> executed) throws IOException {
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    PaymentsUpstream upstream = new PaymentsUpstream(server, threads);
    server.createContext("/api/payments", exchange -> upstream.pay(exchange, executed, false));
    server.createContext("/api/keyed-payments", exchange -> upstream.pay(exchange, executed, true));
    server.start();
    return upstream;
  }

  /** The base URL a connector's {@code baseUrl} takes: {@code http://127.0.0.1:PORT/api}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
  }

  /** Every write executed so far, on either endpoint, in the order they were. */
  public List<Write> writes() {
    return List.copyOf(writes);
  }

  /**
   * Every whole request the key-honouring endpoint received, executed or answered again, in order.
   */
  public List<Write> keyedRequests() {
    return List.copyOf(keyedRequests);
  }

  private void pay(HttpExchange exchange, Consumer<Write> executed, boolean honoursKeys)
      throws IOException {
    try (exchange) {
      JsonNode body;
      try {
        body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      } catch (IOException | JacksonException cutShort) {
        return; // the sender died mid-request: nothing executed
      }
      Write write =
          new Write(
              exchange.getRequestHeaders().getFirst("Idempotency-Key"),
              body.path("reference").asString(null));
      int number;
      boolean again;
      synchronized (writes) {
        Integer earlier =
            honoursKeys && write.idempotencyKey() != null
                ? keyedPayments.get(write.idempotencyKey())
                : null;
        again = earlier != null;
        if (honoursKeys) {
          keyedRequests.add(write);
        }
        if (again) {
          number = earlier;
        } else {
          writes.add(write);
          number = writes.size();
          if (honoursKeys && write.idempotencyKey() != null) {
            keyedPayments.put(write.idempotencyKey(), number);
          }
        }
      }
      if (!again) {
        executed.accept(write);
      }
      byte[] answer = ("{\"payment\":\"P-" + number + "\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      try {
        exchange.sendResponseHeaders(201, answer.length);
        exchange.getResponseBody().write(answer);
      } catch (IOException gone) {
        // the gateway that asked was killed; the payment stands
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.close();
  }
}
