package dev.portcullis.connector.http;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one tool maps onto an HTTP request, compiled at load: the method, the path template (its
 * variables come from arguments of the same name), the arguments sent as query parameters, and
 * whether the remaining arguments go in a JSON body.
 */
public record HttpOperation(
    String toolName,
    String method,
    UrlTemplate path,
    List<String> queryArguments,
    BodyMode body,
    Duration timeout) {

  /** Which arguments make the JSON request body. */
  public enum BodyMode {
    /** No body. */
    NONE,
    /** Every argument not used by the path or the query. */
    REMAINING_ARGUMENTS
  }

  public HttpOperation {
    Objects.requireNonNull(toolName, "toolName");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    queryArguments = List.copyOf(queryArguments);
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(timeout, "timeout");
  }
}
