package dev.portcullis.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tool input schemas: {@code format} is an assertion, not an annotation; and schema patterns, which
 * upstream MCP servers write, run under a step budget.
 */
class JsonSchemaCompilerTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final JsonSchemaCompiler compiler = new JsonSchemaCompiler();

  private ArgumentSchema schema(String json) {
    return compiler.compile("t", JSON.readTree(json));
  }

  private ArgumentSchema withFormat(String format) {
    return schema(
        "{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"string\",\"format\":\""
            + format
            + "\"}}}");
  }

  private static JsonNode args(String name, String value) {
    return JSON.createObjectNode().put(name, value);
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
      assertThat(withFormat(c[0]).violations(args("v", c[1])))
          .as(c[0] + " " + c[1])
          .singleElement()
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
      assertThat(withFormat(c[0]).violations(args("v", c[1]))).as(c[0] + " " + c[1]).isEmpty();
    }
  }

  // The JDK's engine memoises simple nested loops such as ^(a+)+$ on short inputs, but not these:
  // ^(.*a){20}$ is O(n^20), ^((a+)+)+$ exponential; on plain java.util.regex each runs for hours.

  @Test
  void aCatastrophicPatternIsRefusedQuicklyInsteadOfHoldingTheThread() {
    ArgumentSchema s =
        schema(
            """
        {"type":"object","properties":{"q":{"type":"string","pattern":"^(.*a){20}$"}}}""");
    String evil = "a".repeat(60) + "!";

    var violations =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> s.violations(args("q", evil)));

    assertThat(violations)
        .containsExactly(
            "/: a pattern of the schema needs more than 1000000 steps on these arguments; refused");
  }

  @Test
  void aCatastrophicPatternPropertyIsRefusedNotSkipped() {
    ArgumentSchema s =
        schema(
            """
        {"type":"object","patternProperties":{"^((x+)+)+y$":{"type":"integer"}}}""");
    var violations =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10), () -> s.violations(args("x".repeat(60), "not an integer")));
    assertThat(violations)
        .containsExactly(
            "/: a pattern of the schema needs more than 1000000 steps on these arguments; refused");
  }

  @Test
  void ordinaryPatternsStillMatchAndRefuse() {
    ArgumentSchema s =
        schema(
            """
        {"type":"object","properties":{"id":{"type":"string","pattern":"^C-[0-9]{4}$"}}}""");
    assertThat(s.violations(args("id", "C-0042"))).isEmpty();
    assertThat(s.violations(args("id", "C-42"))).singleElement().asString().startsWith("/id: ");
    assertThat(s.violations(args("id", "x".repeat(100_000) + "C-0042"))).isNotEmpty();
  }

  @Test
  void dollarMatchesOnlyAtTheEndOfTheValueAsInEcmaScript() {
    ArgumentSchema s =
        schema(
            """
        {"type":"object","properties":{"id":{"type":"string","pattern":"^C-[0-9]{4}$"},
         "price":{"type":"string","pattern":"^[$][0-9]+\\\\$?$"}}}""");
    for (String trailing : new String[] {"\n", "\r", "\r\n", "\u0085", "\u2028", "\u2029"}) {
      assertThat(s.violations(args("id", "C-1001" + trailing)))
          .as("C-1001 + %s", trailing.codePointAt(0))
          .isNotEmpty();
    }
    assertThat(s.violations(args("price", "$12$"))).isEmpty();
    assertThat(s.violations(args("price", "$12"))).isEmpty();
    assertThat(s.violations(args("price", "$12\n"))).isNotEmpty();
  }

  @Test
  void endAnchorsAreRewrittenOutsideClassesAndEscapesOnly() {
    assertThat(BoundedRegularExpressions.endAnchored("^a$|b$")).isEqualTo("^a\\z|b\\z");
    assertThat(BoundedRegularExpressions.endAnchored("[$]\\$[]$]$")).isEqualTo("[$]\\$[]$]\\z");
  }
}
