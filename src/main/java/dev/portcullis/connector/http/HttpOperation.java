package dev.portcullis.connector.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one tool maps onto an HTTP request, compiled at load: the method, the path template (its
 * variables come from arguments of the same name), the arguments sent as query parameters under
 * their own names, query parameters built from templates, and what the JSON body is.
 *
 * @param queryTemplates query parameters in order, each a {@link JsonTemplate} whose value (a
 *     scalar as text, anything else as JSON) is sent; a parameter whose template is left out is not
 *     sent
 * @param bodyTemplate the body when {@code body} is {@link BodyMode#TEMPLATE}, else null
 */
public record HttpOperation(
    String toolName,
    String method,
    UrlTemplate path,
    List<String> queryArguments,
    Map<String, JsonTemplate> queryTemplates,
    BodyMode body,
    JsonTemplate bodyTemplate,
    Duration timeout) {

  /** What makes the JSON request body. */
  public enum BodyMode {
    /** No body. */
    NONE,
    /** Every argument not used by the path or the query. */
    REMAINING_ARGUMENTS,
    /** {@link #bodyTemplate()} filled with the arguments. */
    TEMPLATE
  }

  public HttpOperation {
    Objects.requireNonNull(toolName, "toolName");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    queryArguments = List.copyOf(queryArguments);
    queryTemplates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(queryTemplates));
    Objects.requireNonNull(body, "body");
    if ((body == BodyMode.TEMPLATE) != (bodyTemplate != null)) {
      throw new IllegalArgumentException(
          "a body template goes with BodyMode.TEMPLATE, and only with it");
    }
    Objects.requireNonNull(timeout, "timeout");
  }

  /** An operation without templates. */
  public HttpOperation(
      String toolName,
      String method,
      UrlTemplate path,
      List<String> queryArguments,
      BodyMode body,
      Duration timeout) {
    this(toolName, method, path, queryArguments, Map.of(), body, null, timeout);
  }
}
