package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reading the gateway's JSON answers in tests: the body as JSON, and the problem an answer must be.
 */
public final class ApiCalls {
  public static final JsonMapper JSON = JsonMapper.builder().build();

  private ApiCalls() {}

  /** The answer's body, parsed. */
  public static JsonNode json(HttpResponse<String> r) {
    return JSON.readTree(r.body());
  }

  /**
   * Asserts that {@code r} is an RFC 9457 problem with {@code status} and the type {@code
   * urn:portcullis:problem:slug}.
   */
  public static void assertProblem(HttpResponse<String> r, int status, String slug) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(json(r).path("type").asString()).isEqualTo("urn:portcullis:problem:" + slug);
  }
}
