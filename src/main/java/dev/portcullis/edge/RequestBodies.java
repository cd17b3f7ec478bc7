package dev.portcullis.edge;

import io.javalin.http.Context;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a request body as one JSON value, refusing what is too large, not JSON, or malformed, each
 * with its own problem type. Nothing is read past the size limit.
 */
final class RequestBodies {
  private final JsonMapper strict;
  private final int maxBytes;

  RequestBodies(JsonMapper strict, int maxBytes) {
    this.strict = strict;
    this.maxBytes = maxBytes;
  }

  JsonNode readObject(Context ctx) {
    JsonNode node = read(ctx);
    if (!node.isObject()) {
      throw new EdgeRejection(Problem.of(ProblemType.MALFORMED_REQUEST, "the body must be a JSON object"));
    }
    return node;
  }

  JsonNode read(Context ctx) {
    String type = ctx.header("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).strip().startsWith("application/json")) {
      throw new EdgeRejection(
          Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "send the body with Content-Type: application/json"));
    }
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge();
    }
    byte[] bytes = ctx.bodyAsBytes();
    if (bytes.length > maxBytes) {
      throw tooLarge();
    }
    if (bytes.length == 0) {
      throw new EdgeRejection(Problem.of(ProblemType.MALFORMED_REQUEST, "the body is empty"));
    }
    try {
      return strict.readTree(bytes);
    } catch (JacksonException e) {
      throw new EdgeRejection(
          Problem.of(ProblemType.MALFORMED_REQUEST, "the body is not valid JSON: " + e.getOriginalMessage()));
    }
  }

  private EdgeRejection tooLarge() {
    return new EdgeRejection(
        Problem.of(ProblemType.PAYLOAD_TOO_LARGE, "the body is larger than " + maxBytes + " bytes"));
  }
}
