package dev.portcullis.edge;

import java.util.Map;

/**
 * Ends a request at the edge with a problem, before anything reaches the pipeline. Thrown from
 * guards and parsers, and rendered in one place.
 */
public final class EdgeRejection extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Problem problem;
  private final transient Map<String, String> headers;

  public EdgeRejection(Problem problem) {
    this(problem, Map.of());
  }

  public EdgeRejection(Problem problem, Map<String, String> headers) {
    super(problem.type().slug() + ": " + problem.detail(), null, false, false);
    this.problem = problem;
    this.headers = Map.copyOf(headers);
  }

  public Problem problem() {
    return problem;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
