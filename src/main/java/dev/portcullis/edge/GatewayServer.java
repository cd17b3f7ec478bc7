package dev.portcullis.edge;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP server: the MCP door, the REST door, the approver inbox and health, on one
 * Javalin (Jetty) server with virtual threads. Every request first passes the Host and Origin
 * guard.
 *
 * <p>Lifecycle: {@link #start} binds and returns once listening; {@link #close} ends the waits of
 * MCP calls held open for an approval (they answer with their handle), stops accepting and waits
 * for calls in flight.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

  private final Javalin app;
  private final McpWaits waits;
  private final SessionSweeper sweeper;

  private GatewayServer(Javalin app, McpWaits waits, SessionSweeper sweeper) {
    this.app = app;
    this.waits = waits;
    this.sweeper = sweeper;
  }

  /** Starts a server whose MCP sessions live in this process only (one node; tests). */
  public static GatewayServer start(Gateway gateway, EdgeSettings settings) {
    return start(gateway, settings, McpSessions.inMemory(gateway.clock(), settings.sessions()));
  }

  /**
   * Starts a server on {@code sessions}, with a task key of this process only: its MCP task ids
   * verify on no other node and not after a restart (one node; tests and benchmarks).
   */
  public static GatewayServer start(Gateway gateway, EdgeSettings settings, McpSessions sessions) {
    return start(gateway, settings, sessions, McpTaskIds.newKey());
  }

  /** A fresh random key for MCP task ids, to keep in the store for every node (32 bytes). */
  public static byte[] newTaskKey() {
    return McpTaskIds.newKey();
  }

  /**
   * Starts a server on {@code sessions}, which several nodes may share (see {@link McpSessions}),
   * signing MCP task ids with {@code taskKey}, which they share too (see {@link McpTaskIds}).
   */
  public static GatewayServer start(
      Gateway gateway, EdgeSettings settings, McpSessions sessions, byte[] taskKey) {
    Guard guard = new Guard(settings, gateway.identities());
    RequestBodies bodies = new RequestBodies(EdgeJson.strictMapper(), settings.maxRequestBytes());
    RestRoutes rest = new RestRoutes(gateway, guard, bodies);
    McpWaits waits = new McpWaits(gateway.invocations(), gateway.approvals().signals());
    McpRoutes mcp =
        new McpRoutes(gateway, guard, bodies, sessions, settings, waits, new McpTaskIds(taskKey));
    Javalin app =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.startup.showOldJavalinVersionWarning = false;
              cfg.concurrency.useVirtualThreads = true;
              cfg.http.maxRequestSize = settings.maxRequestBytes();
              cfg.http.prefer405over404 = true;
              cfg.jetty.host = settings.host();
              cfg.jetty.port = settings.port();
              cfg.jetty.modifyServer(
                  server -> {
                    server.setStopTimeout(5_000);
                    server.setErrorHandler(new ProblemErrorHandler(gateway.json()));
                  });
              cfg.routes.before(
                  ctx -> {
                    if (!ctx.path().equals("/healthz")) {
                      guard.checkHostAndOrigin(ctx);
                    }
                  });
              cfg.routes.get(
                  "/healthz",
                  ctx -> Responses.json(ctx, gateway.json(), 200, Map.of("status", "ok")));
              new ProtectedResourceRoutes(gateway).register(cfg.routes);
              rest.register(cfg.routes);
              InvocationAdminRoutes operators = new InvocationAdminRoutes(gateway, guard, bodies);
              operators.register(cfg.routes);
              new InvocationRoutes(gateway, guard, operators).register(cfg.routes);
              new ApprovalRoutes(gateway, guard, bodies).register(cfg.routes);
              new InboxRoutes().register(cfg.routes);
              mcp.register(cfg.routes);
              cfg.routes.exception(
                  EdgeRejection.class,
                  (e, ctx) -> Responses.problem(ctx, gateway.json(), e.problem(), e.headers()));
              cfg.routes.exception(
                  HttpResponseException.class, (e, ctx) -> javalinError(gateway, e, ctx));
              cfg.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    if (clientFault(e)) {
                      LOG.info(
                          "refused {} {} from {}: the request could not be read ({})",
                          ctx.method(),
                          ctx.path(),
                          ctx.ip(),
                          e.toString());
                      Responses.problem(
                          ctx,
                          gateway.json(),
                          Problem.of(
                              ProblemType.MALFORMED_REQUEST,
                              "the request could not be read: check its framing (Content-Length, chunked encoding)"),
                          Map.of());
                      return;
                    }
                    LOG.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
                    Responses.problem(
                        ctx,
                        gateway.json(),
                        Problem.of(
                            ProblemType.INTERNAL,
                            "an internal error occurred; the gateway log has details"),
                        Map.of());
                  });
            });
    app.start();
    return new GatewayServer(app, waits, SessionSweeper.start(sessions));
  }

  /**
   * Whether {@code e} is a client's mistake Jetty met while a handler read the request (a body that
   * ended early, broken chunked framing): its bad-message or early-EOF exception anywhere in the
   * causes. A 400, not an internal error with a stack trace. (Bodies are read by {@link
   * RequestBodies}, which refuses these itself; this is the net under any other read.)
   */
  private static boolean clientFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.eclipse.jetty.http.HttpException
          || t instanceof org.eclipse.jetty.io.EofException) {
        return true;
      }
    }
    return false;
  }

  private static void javalinError(Gateway gateway, HttpResponseException e, Context ctx) {
    ProblemType type = ProblemType.forStatus(e.getStatus());
    Map<String, String> headers = Map.of();
    String detail =
        switch (type) {
          case NOT_FOUND -> "no such endpoint: " + ctx.method() + " " + excerpt(ctx.path());
          case METHOD_NOT_ALLOWED -> {
            String allowed =
                e.getDetails()
                    .getOrDefault(
                        "availableMethods", e.getDetails().getOrDefault("Available methods", ""));
            headers = allowed.isBlank() ? Map.of() : Map.of("Allow", allowed);
            yield ctx.method()
                + " is not allowed on "
                + excerpt(ctx.path())
                + (allowed.isBlank() ? "" : "; use " + allowed);
          }
          case PAYLOAD_TOO_LARGE -> "the request body is larger than the gateway reads";
          case INTERNAL -> "an internal error occurred; the gateway log has details";
          default -> type.title();
        };
    if (type == ProblemType.INTERNAL) {
      LOG.error(
          "the router answered {} on {} {}: {}",
          e.getStatus(),
          ctx.method(),
          ctx.path(),
          e.getMessage());
    }
    Responses.problem(ctx, gateway.json(), Problem.of(type, detail), headers);
  }

  private static String excerpt(String path) {
    return path.length() <= 200 ? path : path.substring(0, 200) + "…";
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    waits.close(); // MCP calls held open for an approval answer "pending" now, before the server
    // stops
    sweeper.close();
    app.stop();
  }
}
