package dev.portcullis.edge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The generated part of the hostile-input corpus (see {@link HostileRequestsTest}): families of raw
 * requests, each a list of payloads × what they target, every payload with its exact expected
 * answer. A case is the same object as a line of {@code hostile/requests.json}, plus {@code group},
 * {@code isError} (the problem type of an MCP {@code isError} result), {@code dataType} (a JSON-RPC
 * error's {@code data.type}), {@code reaches} (what an allowed control makes arrive at Acme),
 * {@code audit} (how many audit records it adds) and {@code ok} (an allowed control).
 */
final class HostileCorpus {
  private static final String CLOSE = "Connection: close\r\n";
  private static final String GOOD_READ = "{\"arguments\":{\"customerId\":\"C-1001\"}}";
  private static final String READ_REACHES = "GET /api/customers/C-1001";
  private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

  private final List<ObjectNode> cases = new ArrayList<>();

  private HostileCorpus() {}

  static List<ObjectNode> cases() {
    HostileCorpus c = new HostileCorpus();
    HostileHttpCases.add(c);
    HostileJsonCases.add(c);
    HostileIdentityCases.add(c);
    HostileArgumentCases.add(c);
    return List.copyOf(c.cases);
  }

  /** The tokens {@code {JWT:name}} stands for, from the test's OIDC server. */
  static Map<String, String> tokens(MockOAuth2Server idp) {
    Map<String, String> t = new HashMap<>();
    Map<String, Object> azp = Map.of("azp", "token-client");
    String valid = idp.issueToken("agents", "token-client", "portcullis", azp, 3600).serialize();
    String[] parts = valid.split("\\.", -1);
    t.put("agent", valid);
    t.put(
        "agent-expired",
        idp.issueToken("agents", "token-client", "portcullis", azp, -3600).serialize());
    t.put(
        "agent-audience",
        idp.issueToken("agents", "token-client", "someone-else", azp, 3600).serialize());
    t.put(
        "agent-issuer",
        idp.issueToken("evil", "token-client", "portcullis", azp, 3600).serialize());
    t.put(
        "agent-unregistered",
        idp.issueToken("agents", "unknown-client", "portcullis", Map.of(), 3600).serialize());
    t.put("agent-alg-none", b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".");
    t.put("agent-no-signature", parts[0] + "." + parts[1] + ".");
    t.put(
        "agent-tampered",
        parts[0]
            + "."
            + b64(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                    .replace("token-client", "token-clienu"))
            + "."
            + parts[2]);
    t.put(
        "agent-signature-swapped",
        parts[0]
            + "."
            + parts[1]
            + "."
            + idp.issueToken("agents", "other", "portcullis", Map.of(), 3600)
                .serialize()
                .split("\\.", -1)[2]);
    t.put(
        "agent-hs256",
        b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + b64("forged"));
    t.put("agent-with-user-claims", user(idp, "agents", "token-client", "acme", 3600));
    t.put("user", user(idp, "users", "ann", "acme", 3600));
    t.put("user-other-tenant", user(idp, "users", "gus", "globex", 3600));
    t.put("user-expired", user(idp, "users", "ann", "acme", -3600));
    t.put("user-issuer", user(idp, "evil", "ann", "acme", 3600));
    t.put(
        "user-audience",
        idp.issueToken("users", "ann", "elsewhere", Map.of("tenant", "acme"), 3600).serialize());
    return t;
  }

  private static String user(
      MockOAuth2Server idp, String issuer, String sub, String tenant, long ttl) {
    return idp.issueToken(
            issuer, sub, "portcullis", Map.of("tenant", tenant, "roles", List.of("support")), ttl)
        .serialize();
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  // --- request templates ---

  /** {@code s} as its UTF-8 bytes, one character each (the runner writes characters as bytes). */
  static String utf8(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  /**
   * A REST invoke of {@code tool} by the support agent with {@code body}, after {@code headers}
   * (each ending CRLF).
   */
  static String invoke(String tool, String headers, String body) {
    return "POST /v1/tools/"
        + tool
        + ":invoke HTTP/1.1\r\nHost: {HOST}\r\n"
        + headers
        + "Content-Type: application/json\r\nContent-Length: {LEN}\r\n"
        + CLOSE
        + "\r\n"
        + utf8(body);
  }

  static String invoke(String tool, String body) {
    return invoke(tool, "Authorization: Bearer {KEY}\r\n", body);
  }

  static String goodRead(String headers) {
    return invoke("crm_get_customer", headers, GOOD_READ);
  }

  /** A POST to {@code /mcp} in the shared session of the support agent, after {@code headers}. */
  static String mcp(String headers, String body) {
    return "POST /mcp HTTP/1.1\r\nHost: {HOST}\r\n"
        + headers
        + "Content-Type: application/json\r\n"
        + "Accept: application/json, text/event-stream\r\nContent-Length: {LEN}\r\n"
        + CLOSE
        + "\r\n"
        + utf8(body);
  }

  static String mcp(String body) {
    return mcp("Authorization: Bearer {KEY}\r\nMcp-Session-Id: {SESSION}\r\n", body);
  }

  static String ping(String headers) {
    return mcp(headers, PING);
  }

  static String call(String tool, String arguments) {
    return mcp(callBody(tool, arguments));
  }

  static String callBody(String tool, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\""
        + tool
        + "\",\"arguments\":"
        + arguments
        + "}}";
  }

  static String readReaches() {
    return READ_REACHES;
  }

  static String goodReadBody() {
    return GOOD_READ;
  }

  // --- cases ---

  /** A new case of {@code group} named {@code name}, sending {@code request}. */
  Case add(String group, String name, String request) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("group", group);
    n.put("name", name);
    n.put("request", request);
    cases.add(n);
    return new Case(n);
  }

  /** The expected answer of one case. */
  record Case(ObjectNode node) {
    /** Refused over HTTP with a problem. */
    Case problem(int status, String type) {
      node.put("status", status);
      node.put("type", type);
      return this;
    }

    /** A JSON-RPC error. */
    Case rpc(int status, int code) {
      node.put("status", status);
      node.put("rpc", code);
      return this;
    }

    /** A JSON-RPC error whose data names the problem. */
    Case rpc(int status, int code, String dataType) {
      node.put("dataType", dataType);
      return rpc(status, code);
    }

    /** An MCP {@code tools/call} result with {@code isError} and this problem type. */
    Case isError(String type) {
      node.put("status", 200);
      node.put("isError", type);
      return this;
    }

    /** An allowed control: answered {@code status} without an error. */
    Case ok(int status) {
      node.put("status", status);
      node.put("ok", true);
      return this;
    }

    /** What arrives at Acme (an allowed control's request). */
    Case reaches(String... requests) {
      var list = node.putArray("reaches");
      for (String r : requests) {
        list.add(r);
      }
      return this;
    }

    /** How many audit records the case adds. */
    Case audit(int records) {
      node.put("audit", records);
      return this;
    }

    Case mails(int sent) {
      node.put("mails", sent);
      return this;
    }

    Case halfClose() {
      node.put("halfClose", true);
      return this;
    }

    Case allow(String method) {
      node.put("allow", method);
      return this;
    }

    /**
     * A case that fails today, with a note saying why and where it is fixed: it keeps its true
     * expectation but is left out of the run until the fix lands (then remove the mark).
     */
    Case knownFailure(String note) {
      node.put("knownFailure", note);
      return this;
    }

    Case excludes(String text) {
      node.withArray("detailExcludes").add(text);
      return this;
    }
  }
}
