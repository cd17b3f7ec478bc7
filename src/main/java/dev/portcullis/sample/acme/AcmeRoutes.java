package dev.portcullis.sample.acme;

import dev.portcullis.sample.acme.AcmeModel.Customer;
import dev.portcullis.sample.acme.AcmeModel.CustomerList;
import dev.portcullis.sample.acme.AcmeModel.NewTicket;
import dev.portcullis.sample.acme.AcmeModel.Order;
import dev.portcullis.sample.acme.AcmeModel.OrderList;
import dev.portcullis.sample.acme.AcmeModel.Refund;
import dev.portcullis.sample.acme.AcmeModel.Ticket;
import dev.portcullis.sample.acme.AcmeModel.TicketCreation;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * HTTP handlers of the Acme API. Handlers validate input, call {@link AcmeDatabase}, and write JSON
 * bytes themselves: Javalin's built-in JSON mapper targets Jackson 2, which is not on the class
 * path. Every failure is an {@link AcmeApiException}, rendered by {@link #renderError}.
 */
final class AcmeRoutes {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;
  static final int MAX_SLEEP_MS = 30_000;
  private static final Set<String> PRIORITIES = Set.of("low", "normal", "high", "urgent");
  private static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;

  private final AcmeDatabase db;
  private final JsonMapper json;
  private final Clock clock;
  private final CountDownLatch shutdown = new CountDownLatch(1);

  AcmeRoutes(AcmeDatabase db, JsonMapper json, Clock clock) {
    this.db = db;
    this.json = json;
    this.clock = clock;
  }

  void health(Context ctx) {
    writeJson(ctx, 200, Map.of("status", "ok"));
  }

  void customer(Context ctx) {
    writeJson(ctx, 200, requireCustomer(ctx.pathParam("id")));
  }

  void customers(Context ctx) {
    int limit = intQueryParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    String email = ctx.queryParam("email");
    List<Customer> found;
    if (email == null) {
      found = db.customers(limit);
    } else if (email.isBlank()) {
      throw AcmeApiException.badRequest("query parameter 'email' must not be blank");
    } else {
      found = db.customersByEmail(email.strip(), limit);
    }
    writeJson(ctx, 200, new CustomerList(found));
  }

  void customerOrders(Context ctx) {
    Customer customer = requireCustomer(ctx.pathParam("id"));
    writeJson(ctx, 200, new OrderList(db.ordersOfCustomer(customer.id())));
  }

  void order(Context ctx) {
    writeJson(ctx, 200, requireOrder(ctx.pathParam("id")));
  }

  void ticket(Context ctx) {
    String id = ctx.pathParam("id");
    Ticket ticket =
        db.ticket(id).orElseThrow(() -> AcmeApiException.notFound("no ticket with id " + id));
    writeJson(ctx, 200, ticket);
  }

  /**
   * Creates a ticket. A repeated {@code Idempotency-Key} returns the first ticket with 200 and
   * {@code Idempotent-Replayed: true}, so an agent (or gateway) retrying after a timeout never
   * files a duplicate.
   */
  void createTicket(Context ctx) {
    JsonNode body = readObject(ctx);
    NewTicket request =
        new NewTicket(
            requiredString(body, "customerId", 32),
            requiredString(body, "subject", 200),
            requiredString(body, "body", 10_000),
            requiredString(body, "priority", 16));
    if (!PRIORITIES.contains(request.priority())) {
      throw AcmeApiException.badRequest("'priority' must be one of low, normal, high, urgent");
    }
    String key = idempotencyKey(ctx);
    requireCustomer(request.customerId());
    TicketCreation created = db.createTicket(request, key, now());
    ctx.header("Location", "/api/tickets/" + created.ticket().id());
    if (created.replayed()) {
      ctx.header("Idempotent-Replayed", "true");
    }
    writeJson(ctx, created.replayed() ? 200 : 201, created.ticket());
  }

  /** Issues a refund of at most the order total; each request is checked on its own. */
  void createRefund(Context ctx) {
    JsonNode body = readObject(ctx);
    JsonNode amountNode = body.get("amount");
    if (amountNode == null || !amountNode.isNumber()) {
      throw AcmeApiException.badRequest("'amount' is required and must be a number");
    }
    String reason = requiredString(body, "reason", 500);
    Order order = requireOrder(ctx.pathParam("id"));
    BigDecimal amount = amountNode.decimalValue();
    if (amount.signum() <= 0) {
      throw AcmeApiException.badRequest("'amount' must be greater than 0");
    }
    if (amount.compareTo(order.total()) > 0) {
      throw AcmeApiException.badRequest(
          "'amount' " + amount.toPlainString() + " exceeds the order total " + order.total());
    }
    if (amount.stripTrailingZeros().scale() > 2) {
      throw AcmeApiException.badRequest("'amount' must have at most 2 decimal places");
    }
    Refund refund = db.issueRefund(order, amount.setScale(2), reason, now());
    ctx.header("Location", "/api/orders/" + order.id() + "/refunds/" + refund.refundId());
    writeJson(ctx, 201, refund);
  }

  /**
   * Cancels an issued refund (undoing {@link #createRefund}); the body carries a reason. A refund
   * that is already cancelled is a 409: cancelling twice is refused, not repeated.
   */
  void cancelRefund(Context ctx) {
    JsonNode body = readObject(ctx);
    requiredString(body, "reason", 500);
    Order order = requireOrder(ctx.pathParam("id"));
    String refundId = ctx.pathParam("refundId");
    Refund before =
        db.cancelRefund(order.id(), refundId)
            .orElseThrow(
                () ->
                    AcmeApiException.notFound(
                        "order " + order.id() + " has no refund " + refundId));
    if (!before.status().equals("issued")) {
      throw new AcmeApiException(409, "conflict", "refund " + refundId + " is " + before.status());
    }
    writeJson(
        ctx,
        200,
        new Refund(
            before.refundId(),
            before.orderId(),
            before.amount(),
            before.currency(),
            before.reason(),
            "cancelled",
            before.createdAt()));
  }

  /**
   * Waits on the request thread so gateway tests can provoke upstream timeouts. It waits on the
   * shutdown latch rather than sleeping, so closing the server does not hang on (or need to
   * interrupt) requests whose caller gave up long ago.
   */
  void slow(Context ctx) {
    int ms = intQueryParam(ctx, "ms", null, 0, MAX_SLEEP_MS);
    boolean stopping;
    try {
      stopping = shutdown.await(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    }
    if (stopping) {
      throw new AcmeApiException(503, "shutting_down", "the server is stopping");
    }
    writeJson(ctx, 200, Map.of("slept", ms));
  }

  /** Releases pending {@link #slow} requests; called when the server closes. */
  void shutdown() {
    shutdown.countDown();
  }

  /** Answers with the requested error status so gateway tests can provoke upstream errors. */
  void fail(Context ctx) {
    int status = intQueryParam(ctx, "status", null, 400, 599);
    writeJson(ctx, status, Map.of("error", "forced"));
  }

  /** Writes {@code {"error": code, "detail": detail}}; detail is left out when null. */
  void renderError(Context ctx, int status, String code, String detail) {
    ObjectNode body = json.createObjectNode().put("error", code);
    if (detail != null) {
      body.put("detail", detail);
    }
    writeJson(ctx, status, body);
  }

  void renderError(AcmeApiException e, Context ctx) {
    renderError(ctx, e.status(), e.code(), e.detail());
  }

  // --- helpers ---

  private Customer requireCustomer(String id) {
    return db.customer(id)
        .orElseThrow(() -> AcmeApiException.notFound("no customer with id " + id));
  }

  private Order requireOrder(String id) {
    return db.order(id).orElseThrow(() -> AcmeApiException.notFound("no order with id " + id));
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  private void writeJson(Context ctx, int status, Object body) {
    ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
  }

  private JsonNode readObject(Context ctx) {
    byte[] bytes = ctx.bodyAsBytes();
    JsonNode node;
    try {
      node = bytes.length == 0 ? null : json.readTree(bytes);
    } catch (JacksonException e) {
      throw AcmeApiException.badRequest("request body is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw AcmeApiException.badRequest("request body must be a JSON object");
    }
    return node;
  }

  private static String requiredString(JsonNode body, String field, int maxLength) {
    JsonNode node = body.get(field);
    if (node == null || !node.isString() || node.stringValue().isBlank()) {
      throw AcmeApiException.badRequest(
          "'" + field + "' is required and must be a non-blank string");
    }
    String value = node.stringValue().strip();
    if (value.length() > maxLength) {
      throw AcmeApiException.badRequest(
          "'" + field + "' must be at most " + maxLength + " characters");
    }
    return value;
  }

  /** Reads an integer query parameter in [min, max]; a null default makes it required. */
  private static int intQueryParam(
      Context ctx, String name, Integer defaultValue, int min, int max) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      if (defaultValue == null) {
        throw AcmeApiException.badRequest("query parameter '" + name + "' is required");
      }
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw.strip());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // fall through to the shared message
    }
    throw AcmeApiException.badRequest(
        "query parameter '" + name + "' must be an integer from " + min + " to " + max);
  }

  private static String idempotencyKey(Context ctx) {
    String key = ctx.header("Idempotency-Key");
    if (key == null) {
      return null;
    }
    if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw AcmeApiException.badRequest(
          "'Idempotency-Key' must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
    }
    return key;
  }
}
