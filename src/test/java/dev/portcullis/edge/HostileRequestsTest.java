package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.InvocationState;
import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a hostile client can send, over a real socket to a real gateway: malformed HTTP, malformed
 * JSON-RPC, oversized names and ids. Every refusal is typed (problem+json, or a JSON-RPC error on
 * {@code /mcp}), none leaks parser internals or logs a stack trace at ERROR, and none stores
 * anything. The cases are a table, {@code hostile/requests.json}: add a line for a new one.
 */
class HostileRequestsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern REPEAT = Pattern.compile("\\{(.)\\*(\\d+)}");

  @TempDir static Path data;
  static GatewayFixture gateway;

  @BeforeAll
  static void start() {
    gateway = GatewayFixture.start(data);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  static Stream<JsonNode> cases() throws IOException {
    try (InputStream in = HostileRequestsTest.class.getResourceAsStream("/hostile/requests.json")) {
      List<JsonNode> all = new ArrayList<>();
      JSON.readTree(in).forEach(c -> {
        if (c.has("name")) {
          all.add(c);
        }
      });
      return all.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyRefusalIsTypedAndStoresNothing(JsonNode c) throws Exception {
    int auditBefore = gateway.audit().size();
    Answer a;
    try (LogCapture log = LogCapture.start()) {
      a = send(bytes(c.get("request").asString()), c.path("halfClose").asBoolean(false));
      assertThat(log.text()).as("log").doesNotContain("ERROR").doesNotContain("\tat ");
    }

    assertThat(a.status).as(a.toString()).isEqualTo(c.get("status").asInt());
    if (c.has("type")) {
      assertThat(a.header("Content-Type")).as(a.toString()).startsWith("application/problem+json");
      JsonNode body = JSON.readTree(a.body);
      assertThat(body.path("type").asString()).isEqualTo("urn:portcullis:problem:" + c.get("type").asString());
      assertThat(body.path("status").asInt()).isEqualTo(a.status);
    } else {
      assertThat(a.header("Content-Type")).as(a.toString()).startsWith("application/json");
      JsonNode body = JSON.readTree(a.body);
      assertThat(body.path("jsonrpc").asString()).isEqualTo("2.0");
      assertThat(body.at("/error/code").asInt()).as(a.body).isEqualTo(c.get("rpc").asInt());
    }
    if (c.has("allow")) {
      assertThat(a.header("Allow")).as(a.toString()).contains(c.get("allow").asString());
    }
    if (c.path("noSession").asBoolean(false)) {
      assertThat(a.header("Mcp-Session-Id")).isNull();
    }
    for (JsonNode excluded : c.path("detailExcludes")) {
      assertThat(a.body).doesNotContain(excluded.asString());
    }
    assertThat(gateway.audit()).as("audit records").hasSize(auditBefore);
  }

  // --- item 1: nothing oversized is stored, not even as a refusal ---

  @Test
  void aGiantUnknownToolNameOverMcpIsRefusedBeforeAnythingIsStored() throws Exception {
    String name = "x".repeat(100_000);
    String body = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"" + name
        + "\",\"arguments\":{}}}";
    int audit = gateway.audit().size();
    int denied = denied();

    Answer a = send(mcpPost(session(), body), false);

    assertThat(a.status).isEqualTo(200);
    JsonNode answer = JSON.readTree(a.body);
    assertThat(answer.at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(answer.at("/error/data/type").asString()).isEqualTo("urn:portcullis:problem:unknown-tool");
    assertThat(a.body).doesNotContain("x".repeat(300));
    assertThat(gateway.audit()).hasSize(audit);
    assertThat(denied()).isEqualTo(denied);
  }

  @Test
  void aGiantUnknownToolNameOverRestIsRefusedBeforeAnythingIsStored() throws Exception {
    String name = "y".repeat(6_000);
    int audit = gateway.audit().size();
    int denied = denied();

    var r = gateway.invoke(name, GatewayFixture.SUPPORT_KEY, "{\"arguments\":{}}");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(r.body()).path("type").asString()).isEqualTo("urn:portcullis:problem:unknown-tool");
    assertThat(r.body()).doesNotContain("y".repeat(300));
    assertThat(gateway.audit()).hasSize(audit);
    assertThat(denied()).isEqualTo(denied);
  }

  @Test
  void aGiantJsonRpcIdIsRefusedBeforeAnythingIsStored() throws Exception {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":\"" + "7".repeat(100_000) + "\",\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"no_such_tool\",\"arguments\":{}}}";
    int audit = gateway.audit().size();
    int denied = denied();

    Answer a = send(mcpPost(session(), body), false);

    assertThat(a.status).isEqualTo(400);
    assertThat(JSON.readTree(a.body).at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(gateway.audit()).hasSize(audit);
    assertThat(denied()).isEqualTo(denied);
  }

  @Test
  void oversizedArgumentsForAnUnknownToolAreRefusedBeforeAnythingIsStored() throws Exception {
    String big = "{\"arguments\":{\"blob\":\"" + "z".repeat(200_000) + "\"}}";
    String deep = "{\"arguments\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}";
    int audit = gateway.audit().size();
    int denied = denied();

    var large = gateway.invoke("no_such_tool", GatewayFixture.SUPPORT_KEY, big);
    var nested = gateway.invoke("no_such_tool", GatewayFixture.SUPPORT_KEY, deep);
    Answer overMcp = send(mcpPost(session(), "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"no_such_tool\",\"arguments\":{\"blob\":\"" + "z".repeat(200_000) + "\"}}}"), false);

    assertThat(large.statusCode()).as(large.body()).isEqualTo(422);
    assertThat(JSON.readTree(large.body()).path("type").asString()).isEqualTo("urn:portcullis:problem:invalid-arguments");
    assertThat(nested.statusCode()).as(nested.body()).isEqualTo(422);
    assertThat(overMcp.status).isEqualTo(200);
    assertThat(JSON.readTree(overMcp.body).at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(JSON.readTree(overMcp.body).at("/error/data/type").asString())
        .isEqualTo("urn:portcullis:problem:invalid-arguments");
    assertThat(gateway.audit()).hasSize(audit);
    assertThat(denied()).isEqualTo(denied);
  }

  @Test
  void anUnknownToolWithinTheLimitsIsStillRecordedAsOneRefusal() throws Exception {
    int audit = gateway.audit().size();

    var r = gateway.invoke("no_such_tool", GatewayFixture.SUPPORT_KEY, "{\"arguments\":{\"a\":1}}");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(gateway.audit()).hasSize(audit + 1);
  }

  // --- item 5: a hidden tool's schema is never described ---

  @Test
  void aToolTheAgentMayNotCallIsRefusedAlikeWithBadAndGoodArgumentsOverRest() {
    var good = gateway.invoke("orders_refund", GatewayFixture.SUPPORT_KEY,
        "{\"arguments\":{\"orderId\":\"O-5001\",\"amount\":10,\"reason\":\"goodwill\"}}");
    var bad = gateway.invoke("orders_refund", GatewayFixture.SUPPORT_KEY,
        "{\"arguments\":{\"orderId\":\"nope\",\"amount\":-1,\"extra\":true}}");

    assertThat(good.statusCode()).isEqualTo(403);
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(403);
    assertThat(withoutIds(bad.body())).isEqualTo(withoutIds(good.body()));
    assertThat(bad.body()).doesNotContain("orderId").doesNotContain("violations").doesNotContain("amount");
  }

  @Test
  void aToolTheAgentMayNotCallIsRefusedAlikeWithBadAndGoodArgumentsOverMcp() {
    String session = session();
    Answer good = send(mcpPost(session, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
        + "\"orders_refund\",\"arguments\":{\"orderId\":\"O-5001\",\"amount\":10,\"reason\":\"goodwill\"}}}"), false);
    Answer bad = send(mcpPost(session, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
        + "\"orders_refund\",\"arguments\":{\"orderId\":\"nope\",\"amount\":-1,\"extra\":true}}}"), false);

    JsonNode g = JSON.readTree(good.body);
    JsonNode b = JSON.readTree(bad.body);
    assertThat(b.at("/result/isError").asBoolean()).isTrue();
    assertThat(b.at("/result/structuredContent/error/type").asString())
        .isEqualTo("urn:portcullis:problem:denied-by-policy");
    assertThat(b.at("/result/content/0/text").asString()).isEqualTo(g.at("/result/content/0/text").asString());
    assertThat(b.at("/result/structuredContent/error/rules")).isEqualTo(g.at("/result/structuredContent/error/rules"));
    assertThat(bad.body).doesNotContain("violations").doesNotContain("orderId");
  }

  private static String withoutIds(String problem) {
    var node = (tools.jackson.databind.node.ObjectNode) JSON.readTree(problem);
    node.remove(List.of("invocationId", "traceId"));
    return node.toString();
  }

  // --- helpers ---

  private static int denied() throws Exception {
    return gateway.assembly().gateway().invocations().inState(InvocationState.DENIED).size();
  }

  private static byte[] mcpPost(String session, String body) {
    return bytes("POST /mcp HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\nMcp-Session-Id: " + session
        + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
        + "Content-Length: {LEN}\r\nConnection: close\r\n\r\n" + body);
  }

  /** A fresh MCP session of the support agent. */
  private static String session() {
    String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
        + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"hostile\",\"version\":\"0\"}}}";
    Answer a = send(bytes("POST /mcp HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\n"
        + "Content-Type: application/json\r\nContent-Length: {LEN}\r\nConnection: close\r\n\r\n" + init), false);
    assertThat(a.status).as(a.toString()).isEqualTo(200);
    return a.header("Mcp-Session-Id");
  }

  /** The request with its placeholders filled, as bytes (each character U+0000-U+00FF one byte). */
  private static byte[] bytes(String template) {
    String s = template.replace("{HOST}", "127.0.0.1:" + gateway.port()).replace("{KEY}", GatewayFixture.SUPPORT_KEY);
    if (s.contains("{SESSION}")) {
      s = s.replace("{SESSION}", session());
    }
    Matcher m = REPEAT.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
    }
    m.appendTail(out);
    s = out.toString();
    int bodyAt = s.indexOf("\r\n\r\n");
    if (bodyAt >= 0 && s.contains("{LEN}")) {
      s = s.replace("{LEN}", Integer.toString(s.length() - bodyAt - 4)); // the body is after the headers
    }
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static Answer send(byte[] request, boolean halfClose) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      if (halfClose) {
        socket.shutdownOutput();
      }
      return Answer.parse(readAll(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // the server may reset after answering a request it will not read further
    }
    return out.toByteArray();
  }

  /** An HTTP/1.1 answer read off the socket (close-delimited, with Content-Length, or chunked). */
  private record Answer(int status, Map<String, String> headers, String body) {
    static Answer parse(byte[] raw) {
      String text = new String(raw, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        return new Answer(-1, Map.of(), text);
      }
      List<String> lines = text.substring(0, end).lines().toList();
      int status = Integer.parseInt(lines.getFirst().substring(9, 12));
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line : lines.subList(1, lines.size())) {
        int colon = line.indexOf(':');
        headers.merge(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).strip(), (x, y) -> x + ", " + y);
      }
      String body = text.substring(end + 4);
      if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        StringBuilder b = new StringBuilder();
        int at = 0;
        while (true) {
          int eol = body.indexOf("\r\n", at);
          int size = Integer.parseInt(body.substring(at, eol).strip(), 16);
          if (size == 0) {
            break;
          }
          b.append(body, eol + 2, eol + 2 + size);
          at = eol + 2 + size + 2;
        }
        body = b.toString();
      } else if (headers.containsKey("content-length")) {
        body = body.substring(0, Math.min(body.length(), Integer.parseInt(headers.get("content-length"))));
      }
      return new Answer(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + (body.length() > 500 ? body.substring(0, 500) + "…" : body);
    }
  }
}
