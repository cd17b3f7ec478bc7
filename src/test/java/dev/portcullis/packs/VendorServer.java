package dev.portcullis.packs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stand-in for a vendor's API on a loopback port. Every request is recorded; then the checks a
 * vendor documents for all its endpoints run (the credential in {@code Authorization}, {@code
 * Accept: application/json}, a JSON body with {@code Content-Type: application/json} exactly when
 * the method carries one), then the route's own checks of its path, query and body shape. A request
 * that fails a check is answered the way the vendor would (401, 400, 404) and its reason is kept in
 * {@link #refusals()}, so a test can show what was wrong.
 */
final class VendorServer implements AutoCloseable {
  static final JsonMapper JSON = JsonMapper.builder().build();

  /** One request as it reached the vendor; {@code query} decoded, in order. */
  record Request(
      String method,
      String rawPath,
      Map<String, String> query,
      Map<String, List<String>> headers,
      String body) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().getFirst())
          .findFirst()
          .orElse(null);
    }

    JsonNode json() {
      return JSON.readTree(body);
    }
  }

  /** How the vendor answers. */
  record Response(int status, String body) {}

  /** A route's refusal: the status and the vendor's error body. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String reason) {
      super(reason);
      this.status = status;
    }
  }

  @FunctionalInterface
  interface Route {
    Response handle(Request request, Matcher path);
  }

  private record Entry(String method, Pattern path, Route route) {}

  private final HttpServer server;
  private final String authorization;
  private final List<Entry> routes = new CopyOnWriteArrayList<>();
  private final List<Request> seen = new CopyOnWriteArrayList<>();
  private final List<String> refusals = new CopyOnWriteArrayList<>();

  /** A vendor that expects exactly {@code authorization} in the {@code Authorization} header. */
  VendorServer(String authorization) {
    this.authorization = authorization;
    try {
      server =
          HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  VendorServer route(String method, String pathRegex, Route route) {
    routes.add(new Entry(method, Pattern.compile(pathRegex), route));
    return this;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> seen() {
    return seen;
  }

  List<String> refusals() {
    return refusals;
  }

  Request only() {
    if (seen.size() != 1) {
      throw new AssertionError("expected exactly one request, saw " + seen.size());
    }
    return seen.getFirst();
  }

  /** Fails unless {@code condition}, with the vendor's 400. */
  static void expect(boolean condition, String reason) {
    if (!condition) {
      throw new Refused(400, reason);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    URI uri = ex.getRequestURI();
    Request req =
        new Request(
            ex.getRequestMethod(),
            uri.getRawPath(),
            query(uri.getRawQuery()),
            Map.copyOf(ex.getRequestHeaders()),
            body);
    seen.add(req);
    Response response;
    try {
      response = dispatch(req);
    } catch (Refused e) {
      refusals.add(e.getMessage());
      response =
          new Response(
              e.status, "{\"errorMessages\":[" + JSON.writeValueAsString(e.getMessage()) + "]}");
    }
    byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0) {
      ex.getResponseHeaders().add("Content-Type", "application/json;charset=UTF-8");
    }
    ex.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }

  private Response dispatch(Request req) {
    if (!authorization.equals(req.header("Authorization"))) {
      throw new Refused(401, "missing or wrong credential");
    }
    String accept = req.header("Accept");
    expect(
        accept != null && accept.contains("application/json"),
        "Accept must include application/json");
    boolean carriesBody =
        req.method().equals("POST") || req.method().equals("PATCH") || req.method().equals("PUT");
    if (carriesBody) {
      String type = req.header("Content-Type");
      expect(
          type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json"),
          "Content-Type must be application/json");
      try {
        expect(req.json().isObject(), "the body must be a JSON object");
      } catch (JacksonException e) {
        throw new Refused(400, "the body is not JSON");
      }
    } else {
      expect(req.body().isEmpty(), req.method() + " carries no body");
    }
    for (Entry e : routes) {
      Matcher m = e.path().matcher(req.rawPath());
      if (e.method().equals(req.method()) && m.matches()) {
        return e.route().handle(req, m);
      }
    }
    throw new Refused(404, "no route " + req.method() + " " + req.rawPath());
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&", -1)) {
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (out.putIfAbsent(name, value) != null) {
        throw new Refused(400, "query parameter " + name + " given twice");
      }
    }
    return out;
  }

  /** The names of a JSON object's members. */
  static List<String> names(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.propertyNames().forEach(out::add);
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
