package dev.portcullis.edge;

import io.javalin.http.Context;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Writes JSON and problem bodies; the one place that sets content types for the edges. */
final class Responses {
  private Responses() {}

  static void json(Context ctx, JsonMapper json, int status, Object body) {
    ctx.status(status).contentType("application/json").result(json.writeValueAsBytes(body));
  }

  /**
   * The longest request path a problem names as its {@code instance}; a longer one is not echoed.
   */
  static final int MAX_INSTANCE = 512;

  static void problem(Context ctx, JsonMapper json, Problem problem, Map<String, String> headers) {
    headers.forEach(ctx::header);
    String path = ctx.path();
    ctx.status(problem.type().status())
        .contentType("application/problem+json")
        .result(json.writeValueAsBytes(problem.body(path.length() <= MAX_INSTANCE ? path : null)));
  }
}
