package dev.portcullis.sample.acme;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * "Acme", the sample CRM / orders / ticketing system that Portcullis demos and tests call through
 * the gateway: a Javalin HTTP server over a freshly seeded in-memory SQLite database, and its
 * knowledge base as an MCP server at {@code /mcp} ({@link AcmeKnowledgeBase}).
 *
 * <p>Every route under {@code /api/} except {@code GET /api/health} needs {@code Authorization:
 * Bearer <apiToken>}. {@link #requestLog()} records each request that reached {@code /api/},
 * whether or not it was authorised, so tests can prove a call denied by the gateway never arrived.
 *
 * <p>Concurrency: Jetty serves requests on many threads. The request log is a lock-free queue, the
 * database serialises its own access (see {@link AcmeDatabase}), and handlers keep no other state.
 */
public final class AcmeServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AcmeServer.class);

  private final byte[] tokenDigest;
  private final AcmeDatabase db;
  private final AcmeRoutes routes;
  private final AcmeKnowledgeBase knowledgeBase = new AcmeKnowledgeBase();
  private final ConcurrentLinkedQueue<String> requestLog = new ConcurrentLinkedQueue<>();
  private final java.util.Set<String> headerNames =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> idempotencyKeys = new ConcurrentLinkedQueue<>();
  private final String host;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Javalin app;

  private AcmeServer(String host, String apiToken, AcmeDatabase db, Clock clock) {
    this.host = host;
    // Only a digest is kept: the token itself never needs to be shown, logged or compared raw.
    this.tokenDigest = sha256(apiToken);
    this.db = db;
    JsonMapper json =
        JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    this.routes = new AcmeRoutes(db, json, clock);
  }

  /** Starts Acme with a fresh database on {@code host:port} (port 0 picks a free port). */
  public static AcmeServer start(String host, int port, String apiToken) {
    return start(host, port, apiToken, Clock.systemUTC());
  }

  /**
   * As {@link #start(String, int, String)}, with {@code clock} stamping new tickets and refunds.
   */
  public static AcmeServer start(String host, int port, String apiToken, Clock clock) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(apiToken, "apiToken");
    Objects.requireNonNull(clock, "clock");
    if (apiToken.isBlank()) {
      throw new IllegalArgumentException("apiToken must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    AcmeServer server = new AcmeServer(host, apiToken, AcmeDatabase.openSeeded(), clock);
    try {
      server.app = server.createApp().start(host, port);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  public int port() {
    return app.port();
  }

  /** e.g. {@code http://127.0.0.1:41234}; a wildcard bind address maps to loopback. */
  public URI baseUri() {
    String h =
        switch (host) {
          case "0.0.0.0", "" -> "127.0.0.1";
          case "::", "[::]" -> "[::1]";
          default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
    return URI.create("http://" + h + ":" + port());
  }

  /** Snapshot of "METHOD /path" (no query string) for each request that reached {@code /api/}. */
  public List<String> requestLog() {
    return List.copyOf(requestLog);
  }

  /**
   * The names (lower case) of every request header that reached an /api route: lets a test prove
   * that no caller credential was passed through to this system.
   */
  public java.util.Set<String> headerNamesSeen() {
    return java.util.Set.copyOf(headerNames);
  }

  /**
   * The {@code Idempotency-Key} of each request that carried one to an /api route, in arrival
   * order: lets a test see which key a gateway sent, and how often.
   */
  public List<String> idempotencyKeys() {
    return List.copyOf(idempotencyKeys);
  }

  /** How many tickets Acme holds: the seeded ones and every one created since. */
  public int ticketCount() {
    return db.ticketCount();
  }

  /** Acme's knowledge base, an MCP server at {@code /mcp} with the same token. */
  public AcmeKnowledgeBase knowledgeBase() {
    return knowledgeBase;
  }

  public void clearRequestLog() {
    requestLog.clear();
    headerNames.clear();
    idempotencyKeys.clear();
  }

  /** Stops the server and discards the database. Safe to call more than once. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    routes.shutdown();
    knowledgeBase.close();
    try {
      if (app != null) {
        app.stop();
      }
    } finally {
      db.close();
    }
  }

  private Javalin createApp() {
    return Javalin.create(
        cfg -> {
          cfg.startup.showJavalinBanner = false;
          cfg.startup.showOldJavalinVersionWarning = false;
          cfg.routes.before("/api/*", this::admit);
          cfg.jetty.modifyServletContextHandler(
              context -> knowledgeBase.mount(context, this::hasValidToken));
          cfg.routes.get("/api/health", routes::health);
          cfg.routes.get("/api/customers", routes::customers);
          cfg.routes.get("/api/customers/{id}", routes::customer);
          cfg.routes.get("/api/customers/{id}/orders", routes::customerOrders);
          cfg.routes.get("/api/orders/{id}", routes::order);
          cfg.routes.post("/api/orders/{id}/refunds", routes::createRefund);
          cfg.routes.post("/api/orders/{id}/refunds/{refundId}/cancel", routes::cancelRefund);
          cfg.routes.post("/api/tickets", routes::createTicket);
          cfg.routes.get("/api/tickets/{id}", routes::ticket);
          cfg.routes.get("/api/slow", routes::slow);
          cfg.routes.get("/api/fail", routes::fail);
          cfg.routes.exception(AcmeApiException.class, routes::renderError);
          // Javalin's own errors (unknown route, oversized body...) get the same JSON shape.
          cfg.routes.exception(HttpResponseException.class, this::renderJavalinError);
          cfg.routes.exception(Exception.class, this::renderUnexpected);
        });
  }

  /** Logs the request, then lets it through only with the right bearer token. */
  private void admit(Context ctx) {
    requestLog.add(ctx.method().name() + " " + ctx.path());
    ctx.headerMap().keySet().forEach(h -> headerNames.add(h.toLowerCase(java.util.Locale.ROOT)));
    String key = ctx.header("Idempotency-Key");
    if (key != null) {
      idempotencyKeys.add(key);
    }
    if (ctx.method().equals(HandlerType.GET) && ctx.path().equals("/api/health")) {
      return;
    }
    if (!hasValidToken(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", "Bearer");
      // Thrown, not written: an exception in a before-handler skips the endpoint handler.
      throw new AcmeApiException(401, "unauthorized", null);
    }
  }

  private boolean hasValidToken(String authorization) {
    String prefix = "bearer ";
    if (authorization == null
        || authorization.length() <= prefix.length()
        || !authorization.substring(0, prefix.length()).toLowerCase(Locale.ROOT).equals(prefix)) {
      return false;
    }
    // Comparing fixed-length digests keeps MessageDigest.isEqual constant-time even for a
    // presented token of a different length than the real one.
    byte[] presented = sha256(authorization.substring(prefix.length()).strip());
    return MessageDigest.isEqual(presented, tokenDigest);
  }

  private void renderJavalinError(HttpResponseException e, Context ctx) {
    String code = e.getStatus() == 404 ? "not_found" : "http_" + e.getStatus();
    routes.renderError(ctx, e.getStatus(), code, e.getMessage());
  }

  private void renderUnexpected(Exception e, Context ctx) {
    LOG.error("Acme request {} {} failed", ctx.method(), ctx.path(), e);
    routes.renderError(ctx, 500, "internal_error", "unexpected server error");
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
