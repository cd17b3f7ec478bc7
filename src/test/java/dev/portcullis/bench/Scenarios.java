package dev.portcullis.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The three ways of reading customer C-1001: straight from Acme, through the gateway's REST door,
 * and through its MCP door (one session per client, opened before the clock starts).
 */
final class Scenarios {
  static final String TOOL = "crm_get_customer";
  static final String CUSTOMER = "C-1001";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final String MCP_VERSION = "2025-11-25";
  private static final String MCP_ACCEPT = "application/json, text/event-stream";

  private Scenarios() {}

  /** {@code GET {acme}/api/customers/C-1001} with Acme's own token: the baseline. */
  static Scenario direct(String name, URI acme, String acmeToken) {
    HttpRequest request =
        HttpRequest.newBuilder(acme.resolve("/api/customers/" + CUSTOMER))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + acmeToken)
            .header("Accept", "application/json")
            .GET()
            .build();
    return new Scenario(
        name, http -> () -> expect200(http.send(request, HttpResponse.BodyHandlers.ofString())));
  }

  /** {@code POST /v1/tools/crm_get_customer:invoke} on the gateway. */
  static Scenario rest(String name, URI gateway, String agentKey) {
    HttpRequest request =
        HttpRequest.newBuilder(gateway.resolve("/v1/tools/" + TOOL + ":invoke"))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + agentKey)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"arguments\":{\"customerId\":\"" + CUSTOMER + "\"}}"))
            .build();
    return new Scenario(
        name, http -> () -> expect200(http.send(request, HttpResponse.BodyHandlers.ofString())));
  }

  /** MCP {@code tools/call} of crm_get_customer over streamable HTTP, one session per client. */
  static Scenario mcp(String name, URI gateway, String agentKey) {
    return mcp(
        name,
        gateway.resolve("/mcp"),
        agentKey,
        TOOL,
        "{\"customerId\":\"" + CUSTOMER + "\"}",
        "\"isError\":false");
  }

  /**
   * MCP {@code tools/call} of {@code tool} with {@code arguments} (a JSON object) at {@code
   * endpoint}, any MCP server over streamable HTTP: one session per client, opened before the clock
   * starts, then one POST per call. A call succeeds when the answer is HTTP 200, holds {@code
   * expected} and no {@code "isError":true}; the answer may be JSON or one SSE event, read whole
   * either way.
   */
  static Scenario mcp(
      String name, URI endpoint, String bearer, String tool, String arguments, String expected) {
    return new Scenario(
        name,
        http -> {
          String session = openSession(http, endpoint, bearer);
          long[] nextId = {1};
          return () -> {
            String body =
                "{\"jsonrpc\":\"2.0\",\"id\":"
                    + nextId[0]++
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                    + tool
                    + "\",\"arguments\":"
                    + arguments
                    + "}}";
            HttpResponse<String> r =
                http.send(
                    mcpPost(endpoint, bearer, body)
                        .header("Mcp-Session-Id", session)
                        .header("MCP-Protocol-Version", MCP_VERSION)
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
              return "HTTP " + r.statusCode() + ": " + excerpt(r.body());
            }
            return r.body().contains(expected) && !r.body().contains("\"isError\":true")
                ? null
                : "tool error: " + excerpt(r.body());
          };
        });
  }

  static String openSession(HttpClient http, URI endpoint, String agentKey)
      throws IOException, InterruptedException {
    String init =
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
            + MCP_VERSION
            + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"portcullis-bench\",\"version\":\"1\"}}}";
    HttpResponse<String> r =
        http.send(mcpPost(endpoint, agentKey, init).build(), HttpResponse.BodyHandlers.ofString());
    String session = r.headers().firstValue("Mcp-Session-Id").orElse(null);
    if (r.statusCode() != 200 || session == null) {
      throw new IOException(
          "MCP initialize failed: HTTP " + r.statusCode() + ": " + excerpt(r.body()));
    }
    HttpResponse<String> ack =
        http.send(
            mcpPost(
                    endpoint,
                    agentKey,
                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", MCP_VERSION)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (ack.statusCode() != 202) {
      throw new IOException("MCP notifications/initialized failed: HTTP " + ack.statusCode());
    }
    return session;
  }

  static HttpRequest.Builder mcpPost(URI endpoint, String agentKey, String body) {
    return HttpRequest.newBuilder(endpoint)
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + agentKey)
        .header("Content-Type", "application/json")
        .header("Accept", MCP_ACCEPT)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static String expect200(HttpResponse<String> r) {
    return r.statusCode() == 200 ? null : "HTTP " + r.statusCode() + ": " + excerpt(r.body());
  }

  static String excerpt(String body) {
    String flat = body.replaceAll("\\s+", " ");
    return flat.length() > 160 ? flat.substring(0, 160) + "…" : flat;
  }
}
