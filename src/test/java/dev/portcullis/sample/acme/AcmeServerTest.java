package dev.portcullis.sample.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class AcmeServerTest {

  private static final String TOKEN = "acme-test-token-4f9c2";
  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String VALID_TICKET =
      """
      {"customerId":"C-1002","subject":"Invoice missing","body":"Please resend the invoice.",\
      "priority":"normal"}""";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private AcmeServer server;

  @BeforeEach
  void startServer() {
    server = AcmeServer.start("127.0.0.1", 0, TOKEN, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stopServer() {
    server.close();
    http.close();
  }

  // --- authentication ---

  @Test
  void servesHealthWithoutToken() {
    Response r = send("GET", "/api/health", null, null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
    assertThat(r.header("Content-Type")).startsWith("application/json");
  }

  @Test
  void rejectsRequestWithoutBearerToken() {
    Response r = send("GET", "/api/customers/C-1001", null, null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\"}");
  }

  @Test
  void rejectsRequestWithWrongBearerTokenWithoutEchoingIt() {
    Response r = send("GET", "/api/customers/C-1001", "Bearer " + TOKEN + "x", null);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).doesNotContain(TOKEN);
    assertThat(r.headers().map().toString()).doesNotContain(TOKEN);
  }

  @Test
  void rejectsNonBearerAuthorizationScheme() {
    assertThat(send("GET", "/api/orders/O-5001", "Basic " + TOKEN, null).status()).isEqualTo(401);
    assertThat(send("GET", "/api/orders/O-5001", TOKEN, null).status()).isEqualTo(401);
  }

  @Test
  void acceptsCaseInsensitiveBearerScheme() {
    assertThat(send("GET", "/api/orders/O-5001", "bearer " + TOKEN, null).status()).isEqualTo(200);
  }

  @Test
  void rejectsBlankApiTokenAtStartup() {
    assertThatThrownBy(() -> AcmeServer.start("127.0.0.1", 0, " "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- customers and orders ---

  @Test
  void returnsCustomerById() {
    Response r = get("/api/customers/C-1001");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("id").stringValue()).isEqualTo("C-1001");
    assertThat(r.json().get("name").stringValue()).isEqualTo("Maria Keller");
    assertThat(r.json().get("email").stringValue()).isEqualTo("maria.keller@example.com");
    assertThat(r.json().get("tier").stringValue()).isEqualTo("gold");
    assertThat(r.json().get("region").stringValue()).isEqualTo("eu");
    assertThat(r.json().has("phone")).isTrue();
  }

  @Test
  void returnsNotFoundForUnknownCustomer() {
    Response r = get("/api/customers/C-9999");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("error").stringValue()).isEqualTo("not_found");
    assertThat(r.json().get("detail").stringValue()).contains("C-9999");
  }

  @Test
  void listsAllCustomersWithoutEmailFilter() {
    Response r = get("/api/customers");
    assertThat(r.status()).isEqualTo(200);
    assertThat(ids(r.json().get("customers")))
        .containsExactly("C-1001", "C-1002", "C-1003", "C-1004", "C-1005");
  }

  @Test
  void findsCustomerByEmailIgnoringCase() {
    Response r = get("/api/customers?email=James.Porter%40EXAMPLE.com");
    assertThat(r.status()).isEqualTo(200);
    assertThat(ids(r.json().get("customers"))).containsExactly("C-1002");
  }

  @Test
  void returnsEmptyListForUnknownEmail() {
    Response r = get("/api/customers?email=nobody%40example.com");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("customers").isEmpty()).isTrue();
  }

  @Test
  void limitsCustomerList() {
    assertThat(ids(get("/api/customers?limit=2").json().get("customers")))
        .containsExactly("C-1001", "C-1002");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "201", "ten", ""})
  void rejectsInvalidCustomerLimit(String limit) {
    Response r = get("/api/customers?limit=" + limit);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").stringValue()).isEqualTo("bad_request");
  }

  @Test
  void listsOrdersOfCustomerWithTwoDecimalTotals() {
    Response r = get("/api/customers/C-1001/orders");
    assertThat(r.status()).isEqualTo(200);
    JsonNode orders = r.json().get("orders");
    assertThat(ids(orders)).containsExactly("O-5001", "O-5002");
    assertThat(r.body()).contains("\"total\":129.90", "\"total\":45.00");
    assertThat(orders.get(0).get("currency").stringValue()).isEqualTo("EUR");
    assertThat(orders.get(0).get("createdAt").stringValue()).isEqualTo("2025-01-14T09:12:00Z");
  }

  @Test
  void returnsEmptyOrderListForCustomerWithoutOrders() {
    Response r = get("/api/customers/C-1005/orders");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("orders").isEmpty()).isTrue();
  }

  @Test
  void returnsNotFoundForOrdersOfUnknownCustomer() {
    assertThat(get("/api/customers/C-0000/orders").status()).isEqualTo(404);
  }

  @Test
  void returnsOrderById() {
    Response r = get("/api/orders/O-5003");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("customerId").stringValue()).isEqualTo("C-1002");
    assertThat(r.json().get("total").decimalValue()).isEqualByComparingTo("899.99");
    assertThat(r.json().get("currency").stringValue()).isEqualTo("USD");
    assertThat(r.json().get("status").stringValue()).isEqualTo("delivered");
  }

  @Test
  void returnsNotFoundForUnknownOrder() {
    assertThat(get("/api/orders/O-0001").status()).isEqualTo(404);
  }

  @Test
  void returnsJsonNotFoundForUnknownApiRoute() {
    Response r = get("/api/warehouses");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("error").stringValue()).isEqualTo("not_found");
  }

  // --- tickets ---

  @Test
  void createsTicketWithLocationHeader() {
    Response created = post("/api/tickets", VALID_TICKET);
    assertThat(created.status()).isEqualTo(201);
    JsonNode ticket = created.json();
    assertThat(ticket.get("id").stringValue()).isEqualTo("T-9003");
    assertThat(ticket.get("customerId").stringValue()).isEqualTo("C-1002");
    assertThat(ticket.get("subject").stringValue()).isEqualTo("Invoice missing");
    assertThat(ticket.get("priority").stringValue()).isEqualTo("normal");
    assertThat(ticket.get("status").stringValue()).isEqualTo("open");
    assertThat(ticket.get("createdAt").stringValue()).isEqualTo("2025-03-01T12:00:00Z");
    assertThat(created.header("Location")).isEqualTo("/api/tickets/T-9003");

    Response fetched = get(created.header("Location"));
    assertThat(fetched.status()).isEqualTo(200);
    assertThat(fetched.json()).isEqualTo(ticket);
  }

  @Test
  void returnsSeededTicket() {
    Response r = get("/api/tickets/T-9001");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("customerId").stringValue()).isEqualTo("C-1001");
    assertThat(r.json().get("priority").stringValue()).isEqualTo("high");
  }

  @Test
  void returnsNotFoundForUnknownTicket() {
    assertThat(get("/api/tickets/T-1").status()).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"subject\":\"s\",\"body\":\"b\",\"priority\":\"low\"}",
        "{\"customerId\":\"C-1001\",\"body\":\"b\",\"priority\":\"low\"}",
        "{\"customerId\":\"C-1001\",\"subject\":\"  \",\"body\":\"b\",\"priority\":\"low\"}",
        "{\"customerId\":\"C-1001\",\"subject\":\"s\",\"priority\":\"low\"}",
        "{\"customerId\":\"C-1001\",\"subject\":\"s\",\"body\":\"b\"}",
        "{\"customerId\":\"C-1001\",\"subject\":\"s\",\"body\":\"b\",\"priority\":\"asap\"}",
        "{\"customerId\":1001,\"subject\":\"s\",\"body\":\"b\",\"priority\":\"low\"}",
        "[]",
        "{\"customerId\":",
        ""
      })
  void rejectsInvalidTicketRequest(String body) {
    Response r = post("/api/tickets", body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").stringValue()).isEqualTo("bad_request");
    assertThat(r.json().get("detail").stringValue()).isNotBlank();
  }

  @Test
  void returnsNotFoundForTicketOfUnknownCustomer() {
    Response r = post("/api/tickets", VALID_TICKET.replace("C-1002", "C-4040"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(get("/api/tickets/T-9003").status()).isEqualTo(404);
  }

  @Test
  void replaysFirstTicketForRepeatedIdempotencyKey() {
    Response first = post("/api/tickets", VALID_TICKET, "Idempotency-Key", "retry-1");
    Response again = post("/api/tickets", VALID_TICKET, "Idempotency-Key", "retry-1");
    Response other = post("/api/tickets", VALID_TICKET, "Idempotency-Key", "retry-2");

    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json()).isEqualTo(first.json());
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.header("Location")).isEqualTo(first.header("Location"));
    assertThat(other.status()).isEqualTo(201);
    assertThat(other.json().get("id").stringValue()).isEqualTo("T-9004");
  }

  @Test
  void createsOneTicketForConcurrentRetriesWithSameIdempotencyKey() {
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      inFlight.add(
          http.sendAsync(
              request("/api/tickets", "Bearer " + TOKEN)
                  .header("Idempotency-Key", "burst")
                  .POST(BodyPublishers.ofString(VALID_TICKET))
                  .build(),
              BodyHandlers.ofString()));
    }
    List<Integer> statuses = inFlight.stream().map(f -> f.join().statusCode()).toList();

    assertThat(statuses).containsOnly(200, 201).containsOnlyOnce(201);
    assertThat(get("/api/tickets/T-9003").status()).isEqualTo(200);
    assertThat(get("/api/tickets/T-9004").status()).isEqualTo(404);
  }

  // --- refunds ---

  @Test
  void issuesRefundWithinOrderTotal() {
    Response r = post("/api/orders/O-5001/refunds", "{\"amount\":29.9,\"reason\":\"damaged\"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("refundId").stringValue()).isEqualTo("R-7001");
    assertThat(r.json().get("orderId").stringValue()).isEqualTo("O-5001");
    assertThat(r.json().get("amount").decimalValue()).isEqualByComparingTo(new BigDecimal("29.90"));
    assertThat(r.body()).contains("\"amount\":29.90");
    assertThat(r.json().get("currency").stringValue()).isEqualTo("EUR");
    assertThat(r.json().get("reason").stringValue()).isEqualTo("damaged");
    assertThat(r.json().get("status").stringValue()).isEqualTo("issued");
  }

  @Test
  void issuesRefundOfExactlyTheOrderTotal() {
    assertThat(post("/api/orders/O-5002/refunds", "{\"amount\":45.00,\"reason\":\"r\"}").status())
        .isEqualTo(201);
  }

  @Test
  void rejectsRefundAboveOrderTotal() {
    Response r = post("/api/orders/O-5001/refunds", "{\"amount\":129.91,\"reason\":\"too much\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("detail").stringValue()).contains("exceeds");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"amount\":0,\"reason\":\"r\"}",
        "{\"amount\":-5,\"reason\":\"r\"}",
        "{\"amount\":\"10\",\"reason\":\"r\"}",
        "{\"amount\":1.005,\"reason\":\"r\"}",
        "{\"amount\":10}",
        "not json"
      })
  void rejectsInvalidRefundRequest(String body) {
    Response r = post("/api/orders/O-5001/refunds", body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").stringValue()).isEqualTo("bad_request");
  }

  @Test
  void returnsNotFoundForRefundOfUnknownOrder() {
    assertThat(post("/api/orders/O-0404/refunds", "{\"amount\":1,\"reason\":\"r\"}").status())
        .isEqualTo(404);
  }

  // --- request log ---

  @Test
  void recordsEveryRequestThatReachedTheApi() {
    get("/api/customers/C-1001");
    send("GET", "/api/orders/O-5001", null, null);
    get("/api/customers?email=x%40example.com");
    post("/api/tickets", VALID_TICKET);
    send("GET", "/not-api", null, null);

    assertThat(server.requestLog())
        .containsExactly(
            "GET /api/customers/C-1001",
            "GET /api/orders/O-5001",
            "GET /api/customers",
            "POST /api/tickets");
    assertThatThrownBy(() -> server.requestLog().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void clearRequestLogForgetsEarlierRequests() {
    get("/api/health");
    server.clearRequestLog();
    get("/api/orders/O-5001");
    assertThat(server.requestLog()).containsExactly("GET /api/orders/O-5001");
  }

  // --- test helpers for the gateway ---

  @Test
  void answersWithForcedUpstreamStatus() {
    Response r = get("/api/fail?status=503");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("{\"error\":\"forced\"}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"200", "600", "x"})
  void rejectsForcedStatusOutsideErrorRange(String status) {
    assertThat(get("/api/fail?status=" + status).status()).isEqualTo(400);
  }

  @Test
  void answersSlowRequestAfterRequestedDelay() {
    long started = System.nanoTime();
    Response r = get("/api/slow?ms=150");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"slept\":150}");
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void rejectsSlowDelayAboveLimit() {
    assertThat(get("/api/slow?ms=30001").status()).isEqualTo(400);
  }

  @Test
  void closeReleasesPendingSlowRequest() throws Exception {
    CompletableFuture<HttpResponse<String>> pending =
        http.sendAsync(
            request("/api/slow?ms=30000", "Bearer " + TOKEN).GET().build(),
            BodyHandlers.ofString());
    while (!server.requestLog().contains("GET /api/slow")) {
      Thread.onSpinWait();
    }
    server.close();

    // The handler answers 503 as soon as close() begins; if Jetty drops the connection first, the
    // call fails instead. Either way it never gets the 200 it would get after the full delay. No
    // tight time bound here: on a loaded machine shutdown can take seconds.
    try {
      assertThat(pending.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    } catch (ExecutionException droppedByShutdown) {
      assertThat(droppedByShutdown).hasCauseInstanceOf(IOException.class);
    }
  }

  // --- plumbing ---

  private record Response(int status, java.net.http.HttpHeaders headers, String body) {
    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    JsonNode json() {
      return JSON.readTree(body);
    }
  }

  private Response get(String path) {
    return send("GET", path, "Bearer " + TOKEN, null);
  }

  private Response post(String path, String body, String... headers) {
    return send("POST", path, "Bearer " + TOKEN, body, headers);
  }

  private Response send(
      String method, String path, String authorization, String body, String... headers) {
    HttpRequest.Builder builder = request(path, authorization);
    if (body != null) {
      builder.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    builder.method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = http.send(builder.build(), BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new AssertionError("request failed: " + method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private HttpRequest.Builder request(String path, String authorization) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(server.baseUri() + path)).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    return builder;
  }

  private static List<String> ids(JsonNode array) {
    List<String> ids = new ArrayList<>();
    array.forEach(node -> ids.add(node.get("id").stringValue()));
    return ids;
  }
}
