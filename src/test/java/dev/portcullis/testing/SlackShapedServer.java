package dev.portcullis.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local stand-in for the Slack Web API's {@code chat.postMessage}, strict the way Slack is: POST
 * to {@code /api/chat.postMessage}, {@code Authorization: Bearer <bot token>}, a JSON body with
 * {@code channel} and {@code text}. Errors are HTTP 200 with {@code {"ok":false,"error":…}}, as
 * Slack sends them. It records every request that reached it and every message it posted.
 *
 * <p>For the connector contract it can also fail every request ({@link #failEveryRequest}: {@code
 * fatal_error}, Slack's own word for its outages) and put the Authorization header it received into
 * every answer, errors included, with its token in each form of {@link SecretForms} ({@link
 * #echoTheAuthorization}).
 */
public final class SlackShapedServer implements AutoCloseable {
  /** Channel names and ids this workspace knows; a name posts to its id. */
  public static final Map<String, String> CHANNELS =
      Map.of(
          "#support",
          "C0SUPPORT1",
          "C0SUPPORT1",
          "C0SUPPORT1",
          "#random",
          "C0RANDOM01",
          "C0RANDOM01",
          "C0RANDOM01");

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ECHO = "portcullis.echo";

  private final HttpServer server;
  private final String token;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Posted> posted = new CopyOnWriteArrayList<>();
  private final Deque<Scripted> script = new ArrayDeque<>();
  private long counter;
  private volatile boolean failing;
  private volatile boolean echoing;

  /** What reached the server. */
  public record Request(
      String method, String path, Map<String, List<String>> headers, String body) {
    /** The header's values joined by ',', or null; the name in any case. */
    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> String.join(",", e.getValue()))
          .findFirst()
          .orElse(null);
    }
  }

  /** A message the server accepted. */
  public record Posted(String channel, String text, String threadTs, String ts) {}

  private record Scripted(int status, String body) {}

  private SlackShapedServer(String token) throws IOException {
    this.token = token;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  /** A server that accepts {@code token} as its bot token. */
  public static SlackShapedServer start(String token) {
    try {
      return new SlackShapedServer(token);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The Web API base URL, to put in the connector's {@code baseUrl}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api");
  }

  /** The next request gets this answer, whatever it asks (after it is recorded). */
  public synchronized void answerNext(int status, String body) {
    script.add(new Scripted(status, body));
  }

  /** From now on every request is answered {@code {"ok":false,"error":"fatal_error"}}. */
  public void failEveryRequest() {
    failing = true;
  }

  /** From now on every answer carries the Authorization header of its request. */
  public void echoTheAuthorization() {
    echoing = true;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Posted> posted() {
    return List.copyOf(posted);
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(
        new Request(
            ex.getRequestMethod(),
            ex.getRequestURI().getRawPath(),
            Map.copyOf(ex.getRequestHeaders()),
            body));
    if (echoing) {
      ex.setAttribute(ECHO, ex.getRequestHeaders().getFirst("Authorization"));
    }
    Scripted next;
    synchronized (this) {
      next = script.poll();
    }
    if (failing) {
      reply(ex, 200, error("fatal_error"));
      return;
    }
    if (next != null) {
      reply(ex, next.status(), next.body());
      return;
    }
    if (!ex.getRequestURI().getRawPath().equals("/api/chat.postMessage")) {
      reply(ex, 404, "{\"ok\":false,\"error\":\"unknown_method\"}");
      return;
    }
    if (!ex.getRequestMethod().equals("POST")) {
      reply(ex, 200, error("invalid_request"));
      return;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null) {
      reply(ex, 200, error("not_authed"));
      return;
    }
    if (!auth.equals("Bearer " + token)) {
      reply(ex, 200, error("invalid_auth"));
      return;
    }
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.equals("application/json; charset=utf-8")) {
      reply(ex, 200, error("invalid_form_data"));
      return;
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (JacksonException e) {
      reply(ex, 200, error("invalid_json"));
      return;
    }
    String channel = CHANNELS.get(json.path("channel").asString(""));
    if (channel == null) {
      reply(ex, 200, error("channel_not_found"));
      return;
    }
    if (json.path("text").asString("").isEmpty()) {
      reply(ex, 200, error("no_text"));
      return;
    }
    String ts;
    synchronized (this) {
      ts = "1700000000." + String.format(java.util.Locale.ROOT, "%06d", ++counter);
    }
    String thread = json.has("thread_ts") ? json.get("thread_ts").asString() : null;
    posted.add(new Posted(channel, json.get("text").asString(), thread, ts));
    ObjectNode answer = JSON.createObjectNode();
    answer.put("ok", true);
    answer.put("channel", channel);
    answer.put("ts", ts);
    ObjectNode message = answer.putObject("message");
    message.put("type", "message");
    message.put("text", json.get("text").asString());
    message.put("bot_id", "B0PORTCULL");
    message.put("user", "U0PORTCULL");
    message.put("ts", ts);
    reply(ex, 200, JSON.writeValueAsString(answer));
  }

  private static String error(String code) {
    return "{\"ok\":false,\"error\":\"" + code + "\"}";
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    Object echo = ex.getAttribute(ECHO);
    String text = body;
    if (echo != null && !body.isEmpty() && JSON.readTree(body) instanceof ObjectNode withEcho) {
      withEcho.put("received_authorization", echo.toString());
      String token =
          echo.toString().startsWith("Bearer ")
              ? echo.toString().substring("Bearer ".length())
              : echo.toString();
      SecretForms.of(token).forEach(withEcho.putArray("received_token_forms")::add);
      text = JSON.writeValueAsString(withEcho);
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
