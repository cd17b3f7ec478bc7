package dev.portcullis.edge;

import static dev.portcullis.edge.HostileCorpus.goodRead;
import static dev.portcullis.edge.HostileCorpus.invoke;
import static dev.portcullis.edge.HostileCorpus.ping;

/**
 * Malformed HTTP: request lines, methods, versions, header syntax, lengths, chunked framing, hosts,
 * content types and encodings. Each family is a list of variants and the answer they all get; a
 * variant that is a legal request is named as an allowed control with what it reaches.
 */
final class HostileHttpCases {
  private static final String G = "http";
  private static final String AUTH = "Authorization: Bearer {KEY}\r\n";
  private static final String BAD = "malformed-request";

  private HostileHttpCases() {}

  static void add(HostileCorpus c) {
    requestLines(c);
    versions(c);
    methods(c);
    headerSyntax(c);
    lengths(c);
    chunked(c);
    hosts(c);
    mediaTypes(c);
    encodings(c);
  }

  private static void requestLines(HostileCorpus c) {
    String[] lines = {
      "GET\r\n\r\n",
      "GET /healthz HTTP/1.1 extra\r\nHost: {HOST}\r\n\r\n",
      " GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n",
      "GET /heal\u0000thz HTTP/1.1\r\nHost: {HOST}\r\n\r\n",
      "GET /heal thz HTTP/1.1\r\nHost: {HOST}\r\n\r\n",
      "GET /healthz\tHTTP/1.1\r\nHost: {HOST}\r\n\r\n",
      "GET /healthz HTTP/1.1\rHost: {HOST}\r\n\r\n",
      "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003\r\n\r\n",
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      "GET /v1/invocations/%00 HTTP/1.1\r\nHost: {HOST}\r\n" + AUTH + "\r\n",
      "GET /v1/invocations/%c0%af HTTP/1.1\r\nHost: {HOST}\r\n" + AUTH + "\r\n",
      "GET /v1/invocations/% HTTP/1.1\r\nHost: {HOST}\r\n" + AUTH + "\r\n",
    };
    String[] names = {
      "method alone",
      "a fourth part in the request line",
      "a space before the method",
      "NUL in the target",
      "a space in the target",
      "a tab before the version",
      "a bare CR ending the request line",
      "a TLS ClientHello on the plain port",
      "the HTTP/2 preface on an HTTP/1 port",
      "an encoded NUL in the path",
      "an overlong UTF-8 slash encoded in the path",
      "a lone percent in the path",
    };
    for (int i = 0; i < lines.length; i++) {
      c.add(G, names[i], lines[i]).halfClose().problem(400, BAD);
    }
    c.add(G, "HTTP/0.9 request line", "GET /healthz\r\n\r\n")
        .problem(505, "http-version-not-supported");
    c.add(
            G,
            "two spaces after the method, read leniently",
            "GET  /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n")
        .ok(200);
  }

  private static void versions(HostileCorpus c) {
    for (String v :
        new String[] {
          "HTTP/3",
          "HTTP/1.2",
          "HTTP/0.9",
          "HTTP/1",
          "HTTP/1.1.1",
          "HTTP/01.1",
          "HTTP/1.x",
          "HTTPS/1.1",
          "FTP/1.0"
        }) {
      c.add(
              G,
              "version " + v,
              "GET /healthz " + v + "\r\nHost: {HOST}\r\nConnection: close\r\n\r\n")
          .problem(505, "http-version-not-supported");
    }
    c.add(
            G,
            "version HTTP/2.0 without the HTTP/2 preface",
            "GET /healthz HTTP/2.0\r\nHost: {HOST}\r\nConnection: close\r\n\r\n")
        .problem(400, BAD);
    c.add(
            G,
            "version http/1.1 in lower case, read leniently",
            "GET /healthz http/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n")
        .ok(200);
  }

  private static void methods(HostileCorpus c) {
    for (String m : new String[] {"DELETE", "PATCH", "PUT", "TRACE", "FROB", "post", "M-SEARCH"}) {
      c.add(
              G,
              m + " on the invoke endpoint",
              ""
                  + m
                  + " /v1/tools/crm_get_customer:invoke HTTP/1.1\r\nHost: {HOST}\r\n"
                  + AUTH
                  + "Content-Length: 0\r\nConnection: close\r\n\r\n")
          .problem(405, "method-not-allowed")
          .allow("POST");
    }
    for (String m : new String[] {"TRACE", "PATCH", "M-SEARCH", "post"}) {
      c.add(
              G,
              m + " on /mcp",
              m
                  + " /mcp HTTP/1.1\r\nHost: {HOST}\r\n"
                  + AUTH
                  + "Content-Length: 0\r\nConnection: close\r\n\r\n")
          .problem(405, "method-not-allowed")
          .allow("POST");
    }
    c.add(
            G,
            "a method of 100 characters",
            "{M*100} /mcp HTTP/1.1\r\nHost: {HOST}\r\n" + AUTH + "Connection: close\r\n\r\n")
        .problem(405, "method-not-allowed")
        .allow("POST");
    c.add(
            G,
            "CONNECT to another host",
            "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nConnection: close\r\n\r\n")
        .halfClose()
        .problem(403, "host-not-allowed");
  }

  private static void headerSyntax(HostileCorpus c) {
    String[][] bad = {
      {"a space before the colon", "Authorization : Bearer {KEY}\r\n"},
      {"an obsolete folded header line", "X-Note: a\r\n  folded\r\n" + AUTH},
      {"a header name with brackets", "X[Bad]: 1\r\n" + AUTH},
      {"an empty header name", ": nothing\r\n" + AUTH},
      {"a header name with a space", "X Bad: 1\r\n" + AUTH},
      {"a bare CR inside a header value", "X-Note: a\rb\r\n" + AUTH},
      {"a DEL in a header name", "X-\u007fBad: 1\r\n" + AUTH},
      {"a NUL in a header name", "X-\u0000: 1\r\n" + AUTH},
      {"a non-ASCII header name", "X-\u00e9: 1\r\n" + AUTH},
    };
    for (String[] b : bad) {
      c.add(G, b[0], goodRead(b[1])).problem(400, BAD);
    }
    c.add(G, "a single 9000-byte header", goodRead("X-Big: {b*9000}\r\n" + AUTH))
        .problem(431, "headers-too-large");
    c.add(G, "400 small headers", goodRead("X-Many: 12345678901234567890\r\n".repeat(400) + AUTH))
        .problem(431, "headers-too-large");
    c.add(G, "a header name of 9000 bytes", goodRead("X-{n*9000}: 1\r\n" + AUTH))
        .problem(431, "headers-too-large");
  }

  private static void lengths(HostileCorpus c) {
    for (String len :
        new String[] {
          "-1", "abc", "1e3", "0x10", "+37", "37 37", "37, 38", "99999999999999999999", "", "3 7"
        }) {
      c.add(
              G,
              "Content-Length '" + len + "'",
              "POST /v1/tools/crm_get_customer:invoke HTTP/1.1\r\nHost: {HOST}\r\n"
                  + AUTH
                  + "Content-Type: application/json\r\nContent-Length: "
                  + len
                  + "\r\nConnection: close\r\n\r\n"
                  + HostileCorpus.goodReadBody())
          .problem(400, BAD);
    }
    c.add(
            G,
            "a Content-Length past the server's limit",
            "POST /v1/tools/crm_get_customer:invoke HTTP/1.1\r\nHost: {HOST}\r\n"
                + AUTH
                + "Content-Type: application/json\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n{}")
        .halfClose()
        .problem(413, "payload-too-large");
    c.add(
            G,
            "a Content-Length shorter than the JSON",
            "POST /v1/tools/crm_get_customer:invoke HTTP/1.1\r\nHost: {HOST}\r\n"
                + AUTH
                + "Content-Type: application/json\r\nContent-Length: 10\r\nConnection: close\r\n\r\n"
                + HostileCorpus.goodReadBody())
        .problem(400, BAD);
    c.add(
            G,
            "a POST without any length over HTTP/1.0",
            "POST /v1/tools/crm_get_customer:invoke HTTP/1.0\r\nHost: {HOST}\r\n"
                + AUTH
                + "Content-Type: application/json\r\n\r\n"
                + HostileCorpus.goodReadBody())
        .halfClose()
        .problem(400, BAD);
  }

  private static void chunked(HostileCorpus c) {
    String head =
        "POST /v1/tools/crm_get_customer:invoke HTTP/1.1\r\nHost: {HOST}\r\n"
            + AUTH
            + "Content-Type: application/json\r\nConnection: close\r\n";
    String[][] framings = {
      {"a negative chunk size", "Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n"},
      {
        "a chunk size beyond 64 bits",
        "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n{}\r\n0\r\n\r\n"
      },
      {
        "a chunk size with a space inside",
        "Transfer-Encoding: chunked\r\n\r\n2 2\r\n{}\r\n0\r\n\r\n"
      },
      {"a chunk without its CRLF", "Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n"},
      {"a chunk longer than its size", "Transfer-Encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n"},
      {"Transfer-Encoding gzip", "Transfer-Encoding: gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
      {
        "Transfer-Encoding chunked, then gzip",
        "Transfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
      },
      {"Transfer-Encoding xchunked", "Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
      {
        "Transfer-Encoding with a vertical tab",
        "Transfer-Encoding: \u000bchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
      },
      {
        "two Transfer-Encoding headers and a Content-Length",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\nContent-Length: 6\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
      },
    };
    for (String[] f : framings) {
      c.add(G, f[0], head + f[1]).problem(400, BAD);
    }
    c.add(
            G,
            "chunked body cut short before the last chunk",
            head + "Transfer-Encoding: chunked\r\n\r\n20\r\n{}")
        .halfClose()
        .problem(400, BAD);
    c.add(
            G,
            "chunked body without its last chunk",
            head + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n")
        .halfClose()
        .problem(400, BAD);
  }

  private static void hosts(HostileCorpus c) {
    for (String host :
        new String[] {
          "evil.example", "127.0.0.1.evil.example", "localhost.", "127.1", "0.0.0.0", "[::2]"
        }) {
      c.add(
              G,
              "Host " + host,
              "POST /v1/tools/crm_get_customer:invoke HTTP/1.1\r\nHost: "
                  + host
                  + "\r\n"
                  + AUTH
                  + "Content-Type: application/json\r\nContent-Length: {LEN}\r\nConnection: close\r\n\r\n"
                  + HostileCorpus.goodReadBody())
          .problem(403, "host-not-allowed");
    }
    for (String host :
        new String[] {"", "127.0.0.1 evil", "[::1", "127.0.0.1:port", "user@127.0.0.1"}) {
      c.add(
              G,
              "Host '" + host + "'",
              "POST /v1/tools/crm_get_customer:invoke HTTP/1.1\r\nHost: "
                  + host
                  + "\r\n"
                  + AUTH
                  + "Content-Type: application/json\r\nContent-Length: {LEN}\r\nConnection: close\r\n\r\n"
                  + HostileCorpus.goodReadBody())
          .problem(400, BAD);
    }
    c.add(
            G,
            "no Host over HTTP/1.1",
            "POST /v1/tools/crm_get_customer:invoke HTTP/1.1\r\n"
                + AUTH
                + "Content-Type: application/json\r\nContent-Length: {LEN}\r\nConnection: close\r\n\r\n"
                + HostileCorpus.goodReadBody())
        .problem(400, BAD);
    c.add(
            G,
            "an absolute URI naming another host",
            "POST http://evil.example/v1/tools/crm_get_customer:invoke HTTP/1.1\r\n"
                + "Host: {HOST}\r\n"
                + AUTH
                + "Content-Type: application/json\r\nContent-Length: {LEN}\r\nConnection: close\r\n\r\n"
                + HostileCorpus.goodReadBody())
        .problem(400, BAD);
    c.add(
            G,
            "Host evil.example on /mcp",
            ping("Host: evil.example\r\n" + AUTH + "Mcp-Session-Id: {SESSION}\r\n")
                .replace("Host: {HOST}\r\n", ""))
        .problem(403, "host-not-allowed");
    c.add(
            G,
            "an Origin of another site on /mcp",
            ping("Origin: https://evil.example\r\n" + AUTH + "Mcp-Session-Id: {SESSION}\r\n"))
        .problem(403, "origin-not-allowed");
    c.add(
            G,
            "an Origin of another port on /mcp",
            ping("Origin: http://127.0.0.1:1\r\n" + AUTH + "Mcp-Session-Id: {SESSION}\r\n"))
        .problem(403, "origin-not-allowed");
    c.add(G, "an Origin 'null' on REST", goodRead("Origin: null\r\n" + AUTH))
        .problem(403, "origin-not-allowed");
    c.add(G, "the gateway's own Origin, allowed", goodRead("Origin: http://{HOST}\r\n" + AUTH))
        .ok(200)
        .reaches(HostileCorpus.readReaches())
        .audit(2);
  }

  private static void mediaTypes(HostileCorpus c) {
    for (String type :
        new String[] {
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/xml",
          "json",
          "*/*",
          "application/jsonx",
          "application/json-patch+json",
          "application/json5"
        }) {
      c.add(
              G,
              "Content-Type " + type,
              invoke("crm_get_customer", AUTH, HostileCorpus.goodReadBody())
                  .replace("Content-Type: application/json", "Content-Type: " + type))
          .problem(415, "unsupported-media-type");
    }
    c.add(
            G,
            "no Content-Type",
            invoke("crm_get_customer", AUTH, HostileCorpus.goodReadBody())
                .replace("Content-Type: application/json\r\n", ""))
        .problem(415, "unsupported-media-type");
    c.add(G, "two Content-Type headers", goodRead("Content-Type: text/plain\r\n" + AUTH))
        .problem(400, BAD);
    c.add(
            G,
            "Content-Type with charset utf-8, allowed",
            invoke("crm_get_customer", AUTH, HostileCorpus.goodReadBody())
                .replace(
                    "Content-Type: application/json",
                    "Content-Type: application/json; charset=utf-8"))
        .ok(200)
        .reaches(HostileCorpus.readReaches())
        .audit(2);
  }

  private static void encodings(HostileCorpus c) {
    for (String enc :
        new String[] {
          "gzip",
          "deflate",
          "br",
          "compress",
          "x-gzip",
          "zstd",
          "GZIP",
          "gzip, identity",
          "identity, gzip"
        }) {
      c.add(G, "REST Content-Encoding " + enc, goodRead("Content-Encoding: " + enc + "\r\n" + AUTH))
          .problem(415, "unsupported-content-encoding");
      c.add(
              G,
              "MCP Content-Encoding " + enc,
              ping("Content-Encoding: " + enc + "\r\n" + AUTH + "Mcp-Session-Id: {SESSION}\r\n"))
          .problem(415, "unsupported-content-encoding");
    }
    c.add(
            G,
            "two Content-Encoding headers",
            goodRead("Content-Encoding: identity\r\nContent-Encoding: identity\r\n" + AUTH))
        .problem(400, BAD);
    c.add(
            G,
            "Content-Encoding identity, allowed",
            goodRead("Content-Encoding: identity\r\n" + AUTH))
        .ok(200)
        .reaches(HostileCorpus.readReaches())
        .audit(2);
  }
}
