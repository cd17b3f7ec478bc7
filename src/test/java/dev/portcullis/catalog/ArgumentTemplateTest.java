package dev.portcullis.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ArgumentTemplateTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static JsonNode json(String text) {
    return JSON.readTree(text);
  }

  @Test
  void aWholePlaceholderKeepsItsTypeAndEmbeddedOnesBecomeText() throws Exception {
    ArgumentTemplate t =
        ArgumentTemplate.of(
            json(
                "{\"amount\":\"{args.amount}\",\"lines\":[\"{before.lines.1}\"],\"note\":\"was {before.status}, {args.amount}\","
                    + "\"fixed\":3}"));

    JsonNode out =
        t.render(
            Map.of(
                "args",
                json("{\"amount\":12.5}"),
                "before",
                json("{\"status\":\"open\",\"lines\":[\"a\",{\"sku\":\"b\"}]}")));

    assertThat(out)
        .isEqualTo(
            json(
                "{\"amount\":12.5,\"lines\":[{\"sku\":\"b\"}],\"note\":\"was open, 12.5\",\"fixed\":3}"));
    assertThat(t.scopes()).containsExactly("args", "before");
    assertThat(t.placeholders())
        .extracting(ArgumentTemplate.Placeholder::pointer)
        .containsExactly("/amount", "/lines/0", "/note", "/note");
  }

  @Test
  void aValueThatIsNotThereFailsTheRenderingInsteadOfBeingGuessed() {
    ArgumentTemplate t = ArgumentTemplate.of(json("{\"refundId\":\"{result.refundId}\"}"));

    assertThatThrownBy(() -> t.render(Map.of("result", json("{\"refundId\":null}"))))
        .isInstanceOf(ArgumentTemplate.MissingValueException.class)
        .hasMessage("{result.refundId} has no value");
    assertThatThrownBy(() -> t.render(Map.of()))
        .hasMessage("{result.refundId} has no value (there is no result for this call)");
  }

  @Test
  void aValueIsInsertedAsDataNeverReadAgainAsTemplate() throws Exception {
    ArgumentTemplate t = ArgumentTemplate.of(json("{\"a\":\"x {args.v}\"}"));

    assertThat(t.render(Map.of("args", json("{\"v\":\"{args.v} $1 \\\\\"}"))).path("a").asString())
        .isEqualTo("x {args.v} $1 \\");
  }
}
