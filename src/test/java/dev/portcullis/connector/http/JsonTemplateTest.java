package dev.portcullis.connector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonTemplateTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static JsonNode render(String template, String args) {
    return JsonTemplate.compile(JSON.readTree(template)).render(JSON.readTree(args)).orElse(null);
  }

  @Test
  void fillsArgumentsAndLeavesOutMembersAndElementsWhoseArgumentIsAbsent() {
    String t =
        "{\"properties\":{\"email\":{\"$arg\":\"email\"},\"phone\":{\"$arg\":\"phone\"}},"
            + "\"tags\":[\"fixed\",{\"$arg\":\"tag\"}],\"limit\":1}";

    assertThat(render(t, "{\"email\":\"a@x.com\",\"tag\":null}"))
        .isEqualTo(
            JSON.readTree(
                "{\"properties\":{\"email\":\"a@x.com\"},\"tags\":[\"fixed\"],\"limit\":1}"));
    assertThat(render("{\"$arg\":\"n\"}", "{\"n\":{\"deep\":[1,2]}}"))
        .isEqualTo(JSON.readTree("{\"deep\":[1,2]}"));
    assertThat(render("{\"$arg\":\"n\"}", "{}")).isNull();
  }

  @Test
  void neverReadsAnArgumentValueAsTemplateSyntax() {
    assertThat(render("{\"a\":{\"$arg\":\"x\"}}", "{\"x\":{\"$arg\":\"secret\"},\"secret\":\"s\"}"))
        .isEqualTo(JSON.readTree("{\"a\":{\"$arg\":\"secret\"}}"));
    assertThat(
            render(
                    "{\"$text\":\"Name = '{x}'\",\"$escape\":\"soql\"}",
                    "{\"x\":\"{secret}\",\"secret\":\"s\"}")
                .asString())
        .isEqualTo("Name = '{secret}'");
  }

  @Test
  void escapesEverySoqlReservedCharacterInsideText() {
    String value = "a'b\"c\\d\ne\rf\tg\bh\fi\u0001j";

    assertThat(
            render(
                    "{\"$text\":\"WHERE Name = '{v}'\",\"$escape\":\"soql\"}",
                    JSON.writeValueAsString(JSON.createObjectNode().put("v", value)))
                .asString())
        .isEqualTo("WHERE Name = 'a\\'b\\\"c\\\\d\\ne\\rf\\tg\\bh\\fi\\u0001j'");
    assertThat(render("{\"$text\":\"{a} and {b}\",\"$escape\":\"soql\"}", "{\"a\":1}")).isNull();
  }

  @Test
  void refusesTemplatesItCannotReadWithWhere() {
    assertThatThrownBy(() -> JsonTemplate.compile(JSON.readTree("{\"x\":[{\"$text\":\"{a}\"}]}")))
        .isInstanceOfSatisfying(
            JsonTemplate.InvalidTemplateException.class,
            e -> assertThat(e.pointer()).isEqualTo("/x/0"))
        .hasMessage(
            "$text needs $escape, one of [soql]: the language the values are inserted into");
    assertThatThrownBy(() -> JsonTemplate.compile(JSON.readTree("{\"$arg\":\"../x\"}")))
        .hasMessage("must name an argument (letters, digits, '_')");
  }
}
