package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Raw HTTP requests of the stateless MCP revision (2026-07-28) with or without the tasks extension
 * declared in the per-request capabilities, against one gateway's {@code /mcp}: what a tasks client
 * sends, byte for byte, with the headers the revision asks for ({@code Mcp-Name} is the tool for
 * {@code tools/call}, the task id for {@code tasks/*}).
 */
public final class McpTaskCalls implements AutoCloseable {
  public static final String VERSION = "2026-07-28";

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicLong IDS = new AtomicLong();

  private final URI mcp;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public McpTaskCalls(URI baseUri) {
    this.mcp = baseUri.resolve("/mcp");
  }

  /** {@code params._meta}: the version, the client, and its capabilities (tasks or none). */
  public static String meta(boolean tasks) {
    return "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\""
        + VERSION
        + "\",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"raw\",\"version\":\"0\"},"
        + "\"io.modelcontextprotocol/clientCapabilities\":"
        + (tasks ? "{\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}" : "{}")
        + "}";
  }

  /** {@code tools/call} of {@code tool} with {@code arguments} (JSON); then extra header pairs. */
  public HttpResponse<String> call(
      String key, String tool, String arguments, boolean tasks, String... headers) {
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":"
            + IDS.incrementAndGet()
            + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
            + tool
            + "\",\"arguments\":"
            + arguments
            + ","
            + meta(tasks)
            + "}}";
    return send(key, "tools/call", tool, body, headers);
  }

  /**
   * {@code method} ({@code tasks/get}, {@code tasks/cancel}) on task {@code taskId}; then extra
   * header pairs.
   */
  public HttpResponse<String> task(
      String key, String method, String taskId, boolean tasks, String... headers) {
    return task(key, method, taskId, taskId, tasks, headers);
  }

  /**
   * As {@link #task(String, String, String, boolean, String...)}, with {@code Mcp-Name} set apart.
   */
  public HttpResponse<String> task(
      String key,
      String method,
      String taskId,
      String nameHeader,
      boolean tasks,
      String... headers) {
    String extra = method.equals("tasks/update") ? "\"inputResponses\":{}," : "";
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":"
            + IDS.incrementAndGet()
            + ",\"method\":\""
            + method
            + "\",\"params\":{\"taskId\":"
            + JSON.writeValueAsString(taskId)
            + ","
            + extra
            + meta(tasks)
            + "}}";
    return send(key, method, nameHeader, body, headers);
  }

  /** POSTs {@code body} with the revision's headers, then {@code headers} (name, value, …). */
  public HttpResponse<String> send(
      String key, String method, String name, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(mcp)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("Authorization", "Bearer " + key)
            .header("MCP-Protocol-Version", VERSION)
            .header("Mcp-Method", method)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (name != null) {
      b.header("Mcp-Name", name);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The body of {@code r} as JSON. */
  public static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  /** The invocation id a task id names ({@code t1.<invocationId>.<mac>}). */
  public static String invocationOf(String taskId) {
    return taskId.substring(3, taskId.lastIndexOf('.'));
  }

  @Override
  public void close() {
    http.close();
  }
}
