package dev.portcullis.edge;

import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers the errors Jetty finds before any route runs (a request line or header it cannot parse, a
 * URI or headers over its limits, an HTTP version it does not speak) as RFC 9457 problems, instead
 * of Jetty's HTML or JSON page. The detail is fixed per type: nothing of the request or the parser
 * is echoed, and a client's mistake is logged at DEBUG only.
 */
final class ProblemErrorHandler extends ErrorHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemErrorHandler.class);
  private static final Map<ProblemType, String> DETAILS =
      Map.of(
          ProblemType.MALFORMED_REQUEST,
              "the request is not valid HTTP/1.1: check the request line, headers and body framing",
          ProblemType.URI_TOO_LONG, "the request URI is longer than the gateway reads",
          ProblemType.HEADERS_TOO_LARGE,
              "the request's header fields are larger than the gateway reads",
          ProblemType.HTTP_VERSION_NOT_SUPPORTED, "use HTTP/1.1 (or HTTP/2)",
          ProblemType.PAYLOAD_TOO_LARGE, "the request body is larger than the gateway reads");

  private final JsonMapper json;

  ProblemErrorHandler(JsonMapper json) {
    this.json = json;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    Object cause = request.getAttribute(ERROR_EXCEPTION);
    if (cause instanceof HttpException http) {
      status = http.getCode();
    }
    ProblemType type = ProblemType.forStatus(status);
    LOG.debug("refused a request Jetty could not take: {} ({})", status, cause);
    String detail =
        DETAILS.getOrDefault(
            type,
            type == ProblemType.INTERNAL
                ? "an internal error occurred; the gateway log has details"
                : type.title());
    byte[] body = json.writeValueAsBytes(Problem.of(type, detail).body(null));
    response.setStatus(type.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }
}
