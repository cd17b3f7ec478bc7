package dev.portcullis.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Invocations;
import org.junit.jupiter.api.Test;

/** Tool input schemas: {@code format} is an assertion, not an annotation. */
class JsonSchemaCompilerTest {
  private final JsonSchemaCompiler compiler = new JsonSchemaCompiler();

  private ArgumentSchema schema(String format) {
    return compiler.compile("t", Invocations.JSON.readTree(
        "{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"string\",\"format\":\"" + format + "\"}}}"));
  }

  private static tools.jackson.databind.JsonNode value(String v) {
    return Invocations.JSON.createObjectNode().put("v", v);
  }

  @Test
  void refusesValuesThatBreakTheirFormat() {
    String[][] cases = {
      {"email", "not an address"},
      {"uri", "no scheme here"},
      {"date-time", "2026-13-45 noon"},
      {"date", "yesterday"},
      {"uuid", "1234-not-a-uuid"},
      {"ipv4", "999.1.1.1"},
      {"ipv6", "::zz"},
      {"hostname", "-bad-.example"},
    };
    for (String[] c : cases) {
      assertThat(schema(c[0]).violations(value(c[1]))).as(c[0] + " " + c[1]).singleElement()
          .satisfies(v -> assertThat(v).startsWith("/v: "));
    }
  }

  @Test
  void acceptsValuesOfTheirFormat() {
    String[][] cases = {
      {"email", "maria@example.com"},
      {"uri", "https://example.com/a?b=c"},
      {"date-time", "2026-12-07T03:04:05Z"},
      {"date", "2026-12-07"},
      {"uuid", "0c1f3a2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"},
      {"ipv4", "192.0.2.1"},
      {"ipv6", "2001:db8::1"},
      {"hostname", "api.example.com"},
    };
    for (String[] c : cases) {
      assertThat(schema(c[0]).violations(value(c[1]))).as(c[0] + " " + c[1]).isEmpty();
    }
  }
}
