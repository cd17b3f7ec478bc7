package dev.portcullis.edge;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP server: the MCP door, the REST door, the approver inbox and health, on one Javalin (Jetty)
 * server with virtual threads. Every request first passes the Host and Origin guard.
 *
 * <p>Lifecycle: {@link #start} binds and returns once listening; {@link #close} ends the waits of
 * MCP calls held open for an approval (they answer with their handle), stops accepting and waits for
 * calls in flight.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

  private final Javalin app;
  private final McpWaits waits;

  private GatewayServer(Javalin app, McpWaits waits) {
    this.app = app;
    this.waits = waits;
  }

  public static GatewayServer start(Gateway gateway, EdgeSettings settings) {
    Guard guard = new Guard(settings, gateway.identities());
    RequestBodies bodies = new RequestBodies(EdgeJson.strictMapper(), settings.maxRequestBytes());
    McpSessions sessions = new McpSessions(gateway.clock(), Duration.ofHours(1), 10_000);
    RestRoutes rest = new RestRoutes(gateway, guard, bodies);
    McpWaits waits = new McpWaits(gateway.invocations(), gateway.approvals().signals());
    McpRoutes mcp = new McpRoutes(gateway, guard, bodies, sessions, settings, waits);
    Javalin app =
        Javalin.create(cfg -> {
          cfg.startup.showJavalinBanner = false;
          cfg.startup.showOldJavalinVersionWarning = false;
          cfg.concurrency.useVirtualThreads = true;
          cfg.http.maxRequestSize = settings.maxRequestBytes();
          cfg.jetty.host = settings.host();
          cfg.jetty.port = settings.port();
          cfg.jetty.modifyServer(server -> server.setStopTimeout(5_000));
          cfg.routes.before(ctx -> {
            if (!ctx.path().equals("/healthz")) {
              guard.checkHostAndOrigin(ctx);
            }
          });
          cfg.routes.get("/healthz", ctx -> Responses.json(ctx, gateway.json(), 200, Map.of("status", "ok")));
          new ProtectedResourceRoutes(gateway).register(cfg.routes);
          rest.register(cfg.routes);
          InvocationAdminRoutes operators = new InvocationAdminRoutes(gateway, guard, bodies);
          operators.register(cfg.routes);
          new InvocationRoutes(gateway, guard, operators).register(cfg.routes);
          new ApprovalRoutes(gateway, guard, bodies).register(cfg.routes);
          new InboxRoutes().register(cfg.routes);
          mcp.register(cfg.routes);
          cfg.routes.exception(EdgeRejection.class, (e, ctx) ->
              Responses.problem(ctx, gateway.json(), e.problem(), e.headers()));
          cfg.routes.exception(HttpResponseException.class, (e, ctx) -> javalinError(gateway, e, ctx));
          cfg.routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
            Responses.problem(ctx, gateway.json(),
                Problem.of(ProblemType.INTERNAL, "an internal error occurred; the gateway log has details"), Map.of());
          });
        });
    app.start();
    return new GatewayServer(app, waits);
  }

  private static void javalinError(Gateway gateway, HttpResponseException e, Context ctx) {
    ProblemType type =
        switch (e.getStatus()) {
          case 404 -> ProblemType.NOT_FOUND;
          case 405 -> ProblemType.METHOD_NOT_ALLOWED;
          case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
          case 400 -> ProblemType.MALFORMED_REQUEST;
          default -> ProblemType.INTERNAL;
        };
    String detail = type == ProblemType.NOT_FOUND ? "no such endpoint: " + ctx.method() + " " + ctx.path() : e.getMessage();
    Responses.problem(ctx, gateway.json(), Problem.of(type, detail), Map.of());
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    waits.close(); // MCP calls held open for an approval answer "pending" now, before the server stops
    app.stop();
  }
}
