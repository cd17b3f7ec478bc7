package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.values.NullValue;
import dev.portcullis.testing.Invocations;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Numbers take the type the tool's schema declares; everything else passes through as CEL values.
 */
class ArgumentTypesTest {
  private static JsonNode json(String text) {
    return Invocations.JSON.readTree(text);
  }

  private static Object cel(String schema, String value) {
    return ArgumentTypes.of(json(schema)).toCel(json(value));
  }

  @Test
  void withoutASchemaWholeNumbersAreIntsAndTheRestDoubles() {
    ArgumentTypes untyped = ArgumentTypes.of(null);

    assertThat(untyped.toCel(json("5"))).isEqualTo(5L);
    assertThat(untyped.toCel(json("5.0"))).isEqualTo(5L);
    assertThat(untyped.toCel(json("5.5"))).isEqualTo(5.5);
    assertThat(ArgumentTypes.of(json("[1]")).toCel(json("7")))
        .as("a schema that is no object")
        .isEqualTo(7L);
  }

  @Test
  void wholeNumbersOutsideTheLongRangeStayDoubles() {
    assertThat(cel("{}", "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(cel("{}", "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(cel("{}", "-9.223372036854775808E18")).isEqualTo(Long.MIN_VALUE);
    assertThat(cel("{}", "9.223372036854775808E18")).isEqualTo(0x1p63);
    assertThat(cel("{}", "1e300")).isEqualTo(1e300);
    assertThat(cel("{}", "100000000000000000000")).isEqualTo(1e20);
    assertThat(cel("{}", "-100000000000000000000")).isEqualTo(-1e20);
  }

  @Test
  void numbersBeyondTheDoubleRangeAreInfinitiesNotFailures() {
    ArgumentTypes number = ArgumentTypes.of(json("{\"type\": \"number\"}"));
    var nodes = tools.jackson.databind.node.JsonNodeFactory.instance;

    assertThat(number.toCel(nodes.numberNode(new java.math.BigDecimal("1e400"))))
        .isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(number.toCel(nodes.numberNode(new java.math.BigDecimal("-1e400"))))
        .isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(number.toCel(nodes.numberNode(java.math.BigInteger.TEN.pow(400))))
        .isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(cel("{\"type\": \"number\"}", "1" + "0".repeat(400)))
        .isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void aDeclaredNumberIsAlwaysADouble() {
    assertThat(cel("{\"type\": \"number\"}", "5")).isEqualTo(5.0);
    assertThat(cel("{\"type\": [\"null\", \"number\"]}", "5")).isEqualTo(5.0);
    assertThat(cel("{\"type\": [\"integer\", \"number\"]}", "5")).isEqualTo(5.0);
  }

  @Test
  void aDeclaredIntegerIsAnInt() {
    assertThat(cel("{\"type\": \"integer\"}", "5.0")).isEqualTo(5L);
    assertThat(cel("{\"type\": [\"integer\", \"null\"]}", "5")).isEqualTo(5L);
    assertThat(cel("{\"type\": \"integer\"}", "5.5")).isEqualTo(5.5);
  }

  @Test
  void propertiesItemsAndAdditionalPropertiesCarryTheirTypes() {
    String schema =
        """
        {"type": "object",
         "properties": {"amount": {"type": "number"},
                        "lines": {"type": "array", "items": {"type": "object",
                                  "properties": {"qty": {"type": "integer"}, "price": {"type": "number"}}}}},
         "additionalProperties": {"type": "number"}}""";
    Object value =
        cel(
            schema,
            """
        {"amount": 5, "lines": [{"qty": 2.0, "price": 3}], "tip": 1, "note": "x", "gift": true, "none": null}""");

    assertThat(value)
        .isEqualTo(
            Map.of(
                "amount",
                5.0,
                "lines",
                List.of(Map.of("qty", 2L, "price", 3.0)),
                "tip",
                1.0,
                "note",
                "x",
                "gift",
                true,
                "none",
                NullValue.NULL_VALUE));
  }

  @Test
  void membersNotDeclaredFollowTheWholeNumberRule() {
    assertThat(
            cel(
                "{\"properties\": {\"amount\": {\"type\": \"number\"}}}",
                "{\"other\": 5, \"list\": [5, 5.5]}"))
        .isEqualTo(Map.of("other", 5L, "list", List.of(5L, 5.5)));
  }

  @Test
  void localReferencesAreFollowed() {
    String schema =
        """
        {"properties": {"amount": {"$ref": "#/$defs/money"}, "count": {"$ref": "#/$defs/count"},
                        "far": {"$ref": "https://example.com/s.json"}},
         "$defs": {"money": {"type": "number"}, "count": {"$ref": "#/$defs/int"}, "int": {"type": "integer"}}}""";

    assertThat(cel(schema, "{\"amount\": 5, \"count\": 5.0, \"far\": 5.0}"))
        .isEqualTo(Map.of("amount", 5.0, "count", 5L, "far", 5L));
  }

  /**
   * A schema that reaches {@code {"type": "number"}} through a chain of {@code links} references.
   */
  private static String chainOf(int links) {
    StringBuilder defs = new StringBuilder();
    for (int i = 1; i < links; i++) {
      defs.append("\"d")
          .append(i)
          .append("\": {\"$ref\": \"#/$defs/d")
          .append(i + 1)
          .append("\"}, ");
    }
    defs.append("\"d").append(links).append("\": {\"type\": \"number\"}");
    return "{\"$ref\": \"#/$defs/d1\", \"$defs\": {" + defs + "}}";
  }

  @Test
  void aReferenceChainIsFollowedToTheDepthLimitAndNoFurther() {
    assertThat(cel(chainOf(32), "5")).as("32 references: still typed").isEqualTo(5.0);
    assertThat(cel(chainOf(33), "5")).as("33 references: past the limit, untyped").isEqualTo(5L);
  }

  @Test
  void aSelfReferenceEndsAtTheDepthLimit() {
    String schema =
        """
        {"properties": {"node": {"$ref": "#/$defs/node"}},
         "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"},
                                                           "weight": {"type": "number"}}}}}""";

    assertThat(cel(schema, "{\"node\": {\"weight\": 1, \"next\": {\"weight\": 2}}}"))
        .isEqualTo(Map.of("node", Map.of("weight", 1.0, "next", Map.of("weight", 2.0))));
  }

  @Test
  void aSelfReferenceThroughItemsOrAdditionalPropertiesEndsToo() {
    String schema =
        """
        {"$defs": {"tree": {"type": "array", "items": {"$ref": "#/$defs/tree"}},
                   "bag": {"type": "object", "additionalProperties": {"$ref": "#/$defs/bag"}}},
         "properties": {"tree": {"$ref": "#/$defs/tree"}, "bag": {"$ref": "#/$defs/bag"}}}""";

    assertThat(cel(schema, "{\"tree\": [[5]], \"bag\": {\"a\": {\"b\": 5}}}"))
        .isEqualTo(Map.of("tree", List.of(List.of(5L)), "bag", Map.of("a", Map.of("b", 5L))));
  }

  @Test
  void aToolsSchemaGivesItsArgumentsRequiredOnesAndTypes() {
    ToolFacts refund =
        ToolFacts.fromSchema(
            "refund",
            "write",
            "erp",
            json(
                """
        {"type": "object", "properties": {"amount": {"type": "number"}, "order": {"type": "string"}},
         "required": ["order"]}"""));

    assertThat(refund.argumentNames()).containsExactlyInAnyOrder("amount", "order");
    assertThat(refund.requiredArguments()).containsExactly("order");
    assertThat(refund.argumentTypes().toCel(json("{\"amount\": 5}")))
        .isEqualTo(Map.of("amount", 5.0));
    assertThat(refund.argumentsKnown()).isTrue();
    ToolFacts upstream = ToolFacts.argumentsUnknown("mcp_tool", "read", "mcp");
    assertThat(upstream.argumentsKnown()).isFalse();
    assertThat(upstream.argumentNames()).isEqualTo(Set.of());
    assertThat(upstream.name()).isEqualTo("mcp_tool");
  }
}
