package dev.portcullis.edge;

import static dev.portcullis.edge.HostileCorpus.invoke;
import static dev.portcullis.edge.HostileCorpus.mcp;

/**
 * Malformed JSON and JSON-RPC. Unreadable bodies are sent to both doors (REST: {@code 400
 * malformed-request}; MCP: {@code -32700}); envelope and JSON-RPC shapes to the door they belong
 * to. Raw bytes (overlong forms, surrogates, invalid UTF-8) are written as given, not re-encoded.
 */
final class HostileJsonCases {
  private static final String G = "json";
  private static final String BAD = "malformed-request";

  private HostileJsonCases() {}

  static void add(HostileCorpus c) {
    unreadable(c);
    envelopes(c);
    jsonRpc(c);
    toolCallParams(c);
  }

  /** Bodies no JSON parser should accept (or that are not exactly UTF-8): raw, as bytes. */
  private static final String[][] UNREADABLE = {
    {"an empty body", ""},
    {"an open brace", "{"},
    {"a close brace", "}"},
    {"a member without a value", "{\"a\"}"},
    {"a colon without a value", "{\"a\":}"},
    {"a lone comma", "{,}"},
    {"a trailing comma", "{\"a\":1,}"},
    {"single quotes", "{'a':1}"},
    {"an unquoted name", "{a:1}"},
    {"an extra close brace", "{\"a\":1}}"},
    {"trailing text", "{\"a\":1} x"},
    {"two documents", "{\"a\":1}{\"a\":2}"},
    {"an unknown escape", "{\"a\":\"\\x41\"}"},
    {"a short unicode escape", "{\"a\":\"\\u12\"}"},
    {"NaN", "{\"a\":NaN}"},
    {"Infinity", "{\"a\":-Infinity}"},
    {"a leading zero", "{\"a\":01}"},
    {"a number ending in a dot", "{\"a\":1.}"},
    {"a number starting with a dot", "{\"a\":.5}"},
    {"an exponent without digits", "{\"a\":1e}"},
    {"a bare minus", "{\"a\":-}"},
    {"a hexadecimal number", "{\"a\":0x1F}"},
    {"a block comment", "/*c*/{\"a\":1}"},
    {"a line comment", "{\"a\":1 // c\n}"},
    {"an unterminated string", "{\"a\":\"abc"},
    {"a raw tab in a string", "{\"a\":\"x\ty\"}"},
    {"a raw newline in a string", "{\"a\":\"x\ny\"}"},
    {"a raw NUL", "{\"a\":\"x\u0000y\"}"},
    {"a byte-order mark", "\u00ef\u00bb\u00bf{\"a\":1}"},
    {"a UTF-16 byte-order mark", "\u00fe\u00ff\u0000{"},
    {"a lone 0xFF byte", "{\"a\":\"\u00ff\"}"},
    {"a lone continuation byte", "{\"a\":\"\u0080\"}"},
    {"a truncated three-byte sequence", "{\"a\":\"\u00e2\u0082\"}"},
    {"an overlong NUL (C0 80)", "{\"a\":\"\u00c0\u0080\"}"},
    {"an overlong slash in three bytes", "{\"a\":\"\u00e0\u0080\u00af\"}"},
    {"an overlong slash in four bytes", "{\"a\":\"\u00f0\u0080\u0080\u00af\"}"},
    {"a UTF-8 encoded high surrogate", "{\"a\":\"\u00ed\u00a0\u0080\"}"},
    {"a UTF-8 encoded low surrogate", "{\"a\":\"\u00ed\u00b0\u0080\"}"},
    {"a UTF-8 encoded surrogate pair (CESU-8)", "{\"a\":\"\u00ed\u00a0\u00bd\u00ed\u00b8\u0080\"}"},
    {"a code point past U+10FFFF", "{\"a\":\"\u00f4\u0090\u0080\u0080\"}"},
    {"a five-byte sequence", "{\"a\":\"\u00f8\u0088\u0080\u0080\u0080\"}"},
    {"Latin-1 text", "{\"a\":\"caf\u00e9\"}"},
    {"nesting of 100 arrays", "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}"},
    {"nesting of 5000 objects", "{\"a\":" + "{\"a\":".repeat(5000) + "1" + "}".repeat(5000) + "}"},
    {"unclosed nesting", "{\"a\":[[[[[[[["},
  };

  private static void unreadable(HostileCorpus c) {
    for (String[] u : UNREADABLE) {
      c.add(
              G,
              "REST body: " + u[0],
              raw(invoke("crm_get_customer", "Authorization: Bearer {KEY}\r\n", ""), u[1]))
          .problem(400, BAD)
          .excludes("line:")
          .excludes("column:")
          .excludes("Source");
      // the MCP door skips a UTF-8 byte-order mark (RFC 8259 allows it) and reads the message after
      // it
      c.add(G, "MCP body: " + u[0], raw(mcp(""), u[1]))
          .rpc(400, u[1].startsWith("\u00ef\u00bb\u00bf") ? -32600 : -32700)
          .excludes("line:")
          .excludes("column:");
    }
  }

  /** {@code template} (ending in an empty body) with {@code body} appended as is. */
  private static String raw(String template, String body) {
    return template + body;
  }

  private static void envelopes(HostileCorpus c) {
    String[][] bad = {
      {"a JSON string", "\"hello\""},
      {"a JSON number", "42"},
      {"JSON null", "null"},
      {"JSON true", "true"},
      {"an empty array", "[]"},
      {"arguments as an array", "{\"arguments\":[]}"},
      {"arguments as a string", "{\"arguments\":\"customerId=C-1001\"}"},
      {"arguments as a number", "{\"arguments\":1}"},
      {
        "an unknown top-level member",
        "{\"arguments\":{\"customerId\":\"C-1001\"},\"tool\":\"orders_refund\"}"
      },
      {"actor as a string", "{\"actor\":\"admin\",\"arguments\":{\"customerId\":\"C-1001\"}}"},
      {
        "an unknown actor member",
        "{\"actor\":{\"role\":\"admin\"},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "actor.userId as a number",
        "{\"actor\":{\"userId\":7},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "actor.userId over 256 characters",
        "{\"actor\":{\"userId\":\""
            + "u".repeat(300)
            + "\"},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {"requestId as a number", "{\"requestId\":1,\"arguments\":{\"customerId\":\"C-1001\"}}"},
      {"requestId as an object", "{\"requestId\":{},\"arguments\":{\"customerId\":\"C-1001\"}}"},
      {
        "policyContext as an array",
        "{\"policyContext\":[],\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "a policyContext value that is a number",
        "{\"policyContext\":{\"region\":1},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "a policyContext value that is an object",
        "{\"policyContext\":{\"region\":{\"eu\":true}},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "a policyContext name with a dot",
        "{\"policyContext\":{\"user.roles\":\"x\"},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "a policyContext name of 33 characters",
        "{\"policyContext\":{\""
            + "r".repeat(33)
            + "\":\"x\"},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "an empty policyContext name",
        "{\"policyContext\":{\"\":\"x\"},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "17 policyContext members",
        "{\"policyContext\":{" + members(17) + "},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "a duplicate top-level key",
        "{\"arguments\":{\"customerId\":\"C-1001\"},\"arguments\":{\"customerId\":\"C-1002\"}}"
      },
      {
        "a duplicate argument key",
        "{\"arguments\":{\"customerId\":\"C-1001\",\"customerId\":\"C-1002\"}}"
      },
      {
        "a duplicate policyContext key",
        "{\"policyContext\":{\"region\":\"us\",\"region\":\"eu\"},\"arguments\":{\"customerId\":\"C-1001\"}}"
      },
      {
        "a duplicate key spelled with an escape",
        "{\"arguments\":{\"customerId\":\"C-1001\",\"customer\\u0049d\":\"C-1002\"}}"
      },
      {
        "nesting of 65 levels in arguments",
        "{\"arguments\":{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}}"
      },
    };
    for (String[] b : bad) {
      c.add(G, "REST envelope: " + b[0], invoke("crm_get_customer", b[1])).problem(400, BAD);
    }
    // escaped lone surrogates are valid JSON text but no Unicode string: refused before anything is
    // stored (stored as UTF-8 they became '?', and the audit chain no longer verified)
    String[][] surrogates = {
      {
        "a lone high surrogate escape in an argument",
        "{\"arguments\":{\"customerId\":\"C-1001\\ud800\"}}"
      },
      {
        "a lone low surrogate escape in an argument",
        "{\"arguments\":{\"customerId\":\"\\udc00C-1001\"}}"
      },
      {
        "reversed surrogate escapes in an argument",
        "{\"arguments\":{\"customerId\":\"\\udc00\\ud800\"}}"
      },
      {
        "a lone surrogate escape in a policyContext value",
        "{\"arguments\":{\"customerId\":\"C-1001\"},\"policyContext\":{\"region\":\"\\ud800\"}}"
      },
      {
        "a lone surrogate escape in a member name",
        "{\"arguments\":{\"customerId\":\"C-1001\",\"\\ud800\":1}}"
      },
    };
    for (String[] u : surrogates) {
      c.add(G, "REST " + u[0], invoke("crm_get_customer", u[1])).problem(400, BAD);
    }
    c.add(
            G,
            "JSON-RPC a lone surrogate escape in a string id",
            mcp("{\"jsonrpc\":\"2.0\",\"id\":\"\\ud800\",\"method\":\"ping\"}"))
        .rpc(400, -32700);
    c.add(
            G,
            "tools/call a lone surrogate escape in an argument",
            HostileCorpus.call("crm_get_customer", "{\"customerId\":\"\\ud800\"}"))
        .rpc(400, -32700);
    String[][] limits = {
      {
        "arguments nested 9 deep",
        "{\"arguments\":{\"customerId\":\"C-1001\",\"x\":" + "[".repeat(9) + "]".repeat(9) + "}}"
      },
      {"arguments over 16 KiB", "{\"arguments\":{\"customerId\":\"" + "C".repeat(17_000) + "\"}}"},
    };
    for (String[] l : limits) {
      c.add(G, "REST arguments: " + l[0], invoke("crm_get_customer", l[1]))
          .problem(422, "invalid-arguments");
    }
    String[][] numbers = {
      {"a huge exponent", "1e999999"},
      {"a 400-digit integer", "1" + "0".repeat(400)},
      {"negative zero", "-0"},
      {"a tiny fraction", "1e-400"},
      {"a number for a string", "1001"},
    };
    for (String[] n : numbers) {
      c.add(
              G,
              "REST customerId as " + n[0],
              invoke("crm_get_customer", "{\"arguments\":{\"customerId\":" + n[1] + "}}"))
          .problem(422, "invalid-arguments")
          .audit(1);
    }
  }

  private static String members(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
    }
    return b.toString();
  }

  private static void jsonRpc(HostileCorpus c) {
    String[][] invalid = {
      {"a batch of one", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]"},
      {
        "a batch of two",
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]"
      },
      {"an empty batch", "[]"},
      {
        "a batch of tool calls",
        "[" + HostileCorpus.callBody("crm_get_customer", "{\"customerId\":\"C-1001\"}") + "]"
      },
      {"a JSON string", "\"ping\""},
      {"JSON null", "null"},
      {"a number", "7"},
      {"an empty object", "{}"},
      {"no jsonrpc member", "{\"id\":1,\"method\":\"ping\"}"},
      {"jsonrpc null", "{\"jsonrpc\":null,\"id\":1,\"method\":\"ping\"}"},
      {"jsonrpc \"2.00\"", "{\"jsonrpc\":\"2.00\",\"id\":1,\"method\":\"ping\"}"},
      {"jsonrpc \"\"", "{\"jsonrpc\":\"\",\"id\":1,\"method\":\"ping\"}"},
      {"jsonrpc \" 2.0\"", "{\"jsonrpc\":\" 2.0\",\"id\":1,\"method\":\"ping\"}"},
      {"jsonrpc as an array", "{\"jsonrpc\":[\"2.0\"],\"id\":1,\"method\":\"ping\"}"},
      {"an object id", "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}"},
      {"an array id", "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}"},
      {"an id with an exponent", "{\"jsonrpc\":\"2.0\",\"id\":1e2,\"method\":\"ping\"}"},
      {"an id of 2^63", "{\"jsonrpc\":\"2.0\",\"id\":9223372036854775808,\"method\":\"ping\"}"},
      {"an id of -2^63-1", "{\"jsonrpc\":\"2.0\",\"id\":-9223372036854775809,\"method\":\"ping\"}"},
      {
        "an id of 257 characters",
        "{\"jsonrpc\":\"2.0\",\"id\":\"" + "i".repeat(257) + "\",\"method\":\"ping\"}"
      },
      {
        "method and error",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"error\":{\"code\":-1,\"message\":\"x\"}}"
      },
    };
    for (String[] i : invalid) {
      c.add(G, "JSON-RPC " + i[0], mcp(i[1])).rpc(400, -32600);
    }
    String[][] unknownMethods = {
      {"an unknown method", "tools/frobnicate"},
      {"a method in upper case", "TOOLS/LIST"},
      {"an rpc.-reserved method", "rpc.discover"},
      {"an empty method", ""},
      {"a method with a NUL escape", "tools/list\\u0000"},
      {"a method of 5000 characters", "m".repeat(5000)},
    };
    for (String[] m : unknownMethods) {
      c.add(
              G,
              "JSON-RPC " + m[0],
              mcp("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + m[1] + "\"}"))
          .rpc(200, -32601);
    }
    c.add(
            G,
            "JSON-RPC a result without an id, a response to nothing, is accepted and ignored",
            mcp("{\"jsonrpc\":\"2.0\",\"result\":{}}"))
        .ok(202);
    c.add(G, "JSON-RPC a numeric method", mcp("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}"))
        .rpc(400, -32600);
    c.add(G, "JSON-RPC a null method", mcp("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":null}"))
        .rpc(400, -32600);
    c.add(
            G,
            "JSON-RPC a duplicate id",
            mcp("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}"))
        .rpc(400, -32700);
    c.add(
            G,
            "JSON-RPC a duplicate method",
            mcp("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"method\":\"tools/list\"}"))
        .rpc(400, -32700);
    c.add(
            G,
            "JSON-RPC a duplicate tool name",
            mcp(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"crm_get_customer\","
                    + "\"name\":\"orders_refund\",\"arguments\":{\"customerId\":\"C-1001\"}}}"))
        .rpc(400, -32700);
  }

  private static void toolCallParams(HostileCorpus c) {
    String head = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":";
    String[][] params = {
      {"params missing", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}"},
      {"params an array", head + "[\"crm_get_customer\",{}]}"},
      {"params a string", head + "\"crm_get_customer\"}"},
      {"params null", head + "null}"},
      {"no tool name", head + "{\"arguments\":{}}}"},
      {"a numeric tool name", head + "{\"name\":7,\"arguments\":{}}}"},
      {"a null tool name", head + "{\"name\":null,\"arguments\":{}}}"},
      {"arguments a string", head + "{\"name\":\"crm_get_customer\",\"arguments\":\"{}\"}}"},
      {"arguments a number", head + "{\"name\":\"crm_get_customer\",\"arguments\":1}}"},
      {
        "a progress token that is an object",
        head
            + "{\"name\":\"crm_get_customer\",\"arguments\":{\"customerId\":\"C-1001\"},\"_meta\":{\"progressToken\":{}}}}"
      },
      {
        "a progress token that is a fraction",
        head
            + "{\"name\":\"crm_get_customer\",\"arguments\":{\"customerId\":\"C-1001\"},\"_meta\":{\"progressToken\":1.5}}}"
      },
      {
        "an idempotency key with a space",
        head
            + "{\"name\":\"crm_get_customer\",\"arguments\":{\"customerId\":\"C-1001\"},\"_meta\":{\"portcullis/idempotencyKey\":\"a b\"}}}"
      },
      {
        "an idempotency key reserved for reverts",
        head
            + "{\"name\":\"crm_get_customer\",\"arguments\":{\"customerId\":\"C-1001\"},\"_meta\":{\"portcullis/idempotencyKey\":\"revert:x\"}}}"
      },
      {
        "an idempotency key of 256 characters",
        head
            + "{\"name\":\"crm_get_customer\",\"arguments\":{\"customerId\":\"C-1001\"},\"_meta\":{\"portcullis/idempotencyKey\":\""
            + "k".repeat(256)
            + "\"}}}"
      },
      {
        "an idempotency key that is a number",
        head
            + "{\"name\":\"crm_get_customer\",\"arguments\":{\"customerId\":\"C-1001\"},\"_meta\":{\"portcullis/idempotencyKey\":7}}}"
      },
    };
    for (String[] p : params) {
      c.add(G, "tools/call " + p[0], mcp(p[1])).rpc(200, -32602);
    }
    c.add(
            G,
            "tools/call _meta a string, ignored",
            mcp(
                head
                    + "{\"name\":\"crm_get_customer\",\"arguments\":"
                    + "{\"customerId\":\"C-1001\"},\"_meta\":\"x\"}}"))
        .ok(200)
        .reaches(HostileCorpus.readReaches())
        .audit(2);
    c.add(
            G,
            "tools/call arguments nested 9 deep",
            HostileCorpus.call(
                "crm_get_customer",
                "{\"customerId\":\"C-1001\",\"x\":" + "[".repeat(9) + "]".repeat(9) + "}"))
        .rpc(200, -32602, "invalid-arguments");
    c.add(
            G,
            "tools/call arguments over 16 KiB",
            HostileCorpus.call(
                "crm_get_customer", "{\"customerId\":\"" + "C".repeat(17_000) + "\"}"))
        .rpc(200, -32602, "invalid-arguments");
    c.add(
            G,
            "tools/call arguments null, as no arguments",
            HostileCorpus.call("crm_get_customer", "null"))
        .isError("invalid-arguments")
        .audit(1);
    c.add(
            G,
            "tools/list with params an array",
            mcp("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":[]}"))
        .rpc(200, -32602);
  }
}
