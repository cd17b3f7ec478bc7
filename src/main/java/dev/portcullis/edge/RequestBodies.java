package dev.portcullis.edge;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a request body as one JSON value, refusing what is too large, not JSON, or malformed, each
 * with its own problem type. Nothing is read past the size limit.
 *
 * <p>Security: the body must be UTF-8 exactly (an overlong form such as {@code C0 AF} for {@code /}
 * is refused, not decoded; so is a JSON escape of an unpaired surrogate, which no UTF-8 can hold),
 * and a {@code Content-Encoding} the gateway does not decode is refused rather than read as JSON. A
 * body that cannot be read (it ends before its {@code Content-Length}, its chunked framing is
 * broken) is the client's mistake: a 400, logged without a stack trace. Refusals never quote the
 * parser's own messages, which name its internals and positions.
 */
final class RequestBodies {
  private static final Logger LOG = LoggerFactory.getLogger(RequestBodies.class);

  private final JsonMapper strict;
  private final int maxBytes;

  RequestBodies(JsonMapper strict, int maxBytes) {
    this.strict = strict;
    this.maxBytes = maxBytes;
  }

  JsonNode readObject(Context ctx) {
    JsonNode node = read(ctx);
    if (!node.isObject()) {
      throw new EdgeRejection(
          Problem.of(ProblemType.MALFORMED_REQUEST, "the body must be a JSON object"));
    }
    return node;
  }

  /**
   * Whether {@code contentType} is {@code application/json}, with or without parameters (not {@code
   * application/jsonx}).
   */
  static boolean isJson(String contentType) {
    int semicolon = contentType.indexOf(';');
    String mediaType = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return mediaType.strip().toLowerCase(Locale.ROOT).equals("application/json");
  }

  JsonNode read(Context ctx) {
    String type = ctx.header("Content-Type");
    if (type == null || !isJson(type)) {
      throw new EdgeRejection(
          Problem.of(
              ProblemType.UNSUPPORTED_MEDIA_TYPE,
              "send the body with Content-Type: application/json"));
    }
    String encoding = ctx.header("Content-Encoding");
    if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
      throw new EdgeRejection(
          Problem.of(
              ProblemType.UNSUPPORTED_CONTENT_ENCODING, "send the body without a Content-Encoding"),
          Map.of("Accept-Encoding", "identity"));
    }
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge();
    }
    byte[] bytes = body(ctx);
    if (bytes.length > maxBytes) {
      throw tooLarge();
    }
    if (bytes.length == 0) {
      throw new EdgeRejection(Problem.of(ProblemType.MALFORMED_REQUEST, "the body is empty"));
    }
    if (!utf8(bytes)) {
      throw new EdgeRejection(
          Problem.of(ProblemType.MALFORMED_REQUEST, "the body is not valid UTF-8"));
    }
    JsonNode tree;
    try {
      tree = strict.readTree(bytes);
    } catch (JacksonException e) {
      throw new EdgeRejection(
          Problem.of(ProblemType.MALFORMED_REQUEST, "the body is not valid JSON: " + reason(e)));
    }
    if (hasUnpairedSurrogate(tree)) {
      // valid JSON text, but no Unicode string: stored as UTF-8 it would become '?', and the audit
      // record hashed before storing would no longer match what was stored
      throw new EdgeRejection(
          Problem.of(
              ProblemType.MALFORMED_REQUEST,
              "the body is not valid UTF-8: a \\u escape names an unpaired surrogate"));
    }
    return tree;
  }

  /**
   * Whether a string or member name anywhere in {@code node} holds a surrogate without its pair.
   */
  static boolean hasUnpairedSurrogate(JsonNode node) {
    if (node.isString()) {
      return unpaired(node.asString());
    }
    if (node.isObject()) {
      for (var member : node.properties()) {
        if (unpaired(member.getKey()) || hasUnpairedSurrogate(member.getValue())) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        if (hasUnpairedSurrogate(item)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean unpaired(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] body(Context ctx) {
    try {
      return ctx.bodyAsBytes();
    } catch (HttpResponseException e) {
      throw e; // the router's own answer, such as 413
    } catch (RuntimeException e) {
      LOG.debug("could not read a request body from {}: {}", ctx.ip(), e.toString());
      throw new EdgeRejection(
          Problem.of(
              ProblemType.MALFORMED_REQUEST,
              "the body could not be read: it ended before its Content-Length, or its chunked encoding is broken"));
    }
  }

  /** Whether {@code bytes} are well-formed UTF-8: no overlong forms, surrogates or stray bytes. */
  static boolean utf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /**
   * What is wrong with the JSON, with its line and column, without the parser's wording (which
   * names its classes and quotes the input).
   */
  private static String reason(JacksonException e) {
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    String what =
        message.startsWith("Duplicate")
            ? "a duplicate member name in one object"
            : message.contains("nesting depth") || message.contains("Depth")
                ? "it nests deeper than " + EdgeJson.MAX_NESTING
                : message.contains("Trailing token")
                    ? "there is more after the first JSON value"
                    : message.contains("end-of-input") || message.contains("end of input")
                        ? "it ends too early"
                        : "unexpected content";
    var at = e.getLocation();
    return at == null || at.getLineNr() < 1
        ? what
        : what + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  private EdgeRejection tooLarge() {
    return new EdgeRejection(
        Problem.of(
            ProblemType.PAYLOAD_TOO_LARGE, "the body is larger than " + maxBytes + " bytes"));
  }
}
