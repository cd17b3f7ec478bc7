package dev.portcullis.edge;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for the MCP endpoint, as the MCP authorization
 * specification asks: which authorization servers issue tokens for it. Served without
 * authentication (it is how a client learns where to authenticate), behind the Host guard.
 */
final class ProtectedResourceRoutes {
  static final String PATH = "/.well-known/oauth-protected-resource";

  private final Gateway gateway;
  private final List<String> authorizationServers;

  ProtectedResourceRoutes(Gateway gateway) {
    this.gateway = gateway;
    this.authorizationServers = gateway.identities().agentIssuers();
  }

  void register(RoutesConfig routes) {
    routes.get(PATH, this::metadata);
    routes.get(PATH + "/mcp", this::metadata);
  }

  private void metadata(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("resource", base(ctx) + "/mcp");
    body.put("authorization_servers", authorizationServers);
    body.put("bearer_methods_supported", List.of("header"));
    body.put("resource_name", "Portcullis");
    Responses.json(ctx, gateway.json(), 200, body);
  }

  /** Where a 401 points the client: the metadata of the resource it asked for. */
  static String metadataUrl(Context ctx) {
    return base(ctx) + PATH + (ctx.path().startsWith("/mcp") ? "/mcp" : "");
  }

  /** The base URL as the client reached us; the Host header has already passed the guard. */
  private static String base(Context ctx) {
    String host = ctx.header("Host");
    return ctx.scheme() + "://" + (host == null ? "localhost" : host);
  }
}
