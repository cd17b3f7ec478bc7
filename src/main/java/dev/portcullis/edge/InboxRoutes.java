package dev.portcullis.edge;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The approver inbox: {@code GET /inbox} (the requests, by status) and {@code GET
 * /inbox/approvals/{id}} (one request) answer the same static page, whose script reads the path and
 * talks to the approval API ({@link ApprovalRoutes}) with the approver's key. The page holds no
 * data and needs no credential; everything it shows comes from that API.
 *
 * <p>Security: a fixed set of classpath files, read once at start (no path from the request ever
 * names a file). Every answer carries a strict Content-Security-Policy (scripts and styles from
 * this origin only, no inline code, no framing, fetches to this origin only), {@code nosniff} and
 * {@code no-referrer}, so an approval id in the address never leaves in a Referer. The script
 * renders every value with {@code textContent}: arguments come from agents and stay inert text.
 */
final class InboxRoutes {
  static final String PATH = "/inbox";
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; "
          + "connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final byte[] page = resource("index.html");
  private final byte[] script = resource("inbox.js");
  private final byte[] style = resource("inbox.css");
  private final byte[] icon = resource("favicon.svg");

  void register(RoutesConfig routes) {
    routes.get(PATH, ctx -> send(ctx, "text/html;charset=utf-8", page));
    routes.get(PATH + "/approvals/{id}", ctx -> send(ctx, "text/html;charset=utf-8", page));
    routes.get(PATH + "/inbox.js", ctx -> send(ctx, "text/javascript;charset=utf-8", script));
    routes.get(PATH + "/inbox.css", ctx -> send(ctx, "text/css;charset=utf-8", style));
    routes.get(PATH + "/favicon.svg", ctx -> send(ctx, "image/svg+xml", icon));
  }

  private static void send(Context ctx, String contentType, byte[] body) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header("Cache-Control", "no-cache")
        .status(200)
        .contentType(contentType)
        .result(body);
  }

  private static byte[] resource(String name) {
    String path = "/inbox/" + name;
    try (InputStream in = InboxRoutes.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(
            "the inbox asset " + path + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
