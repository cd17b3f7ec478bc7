package dev.portcullis.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class DescriptorHashTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static String hash(JsonNode result) {
    return DescriptorHash.of("t", null, "d", "1", RiskClass.READ, "c", JSON.readTree("{\"type\":\"object\"}"),
        JSON.readTree("{\"method\":\"GET\"}"), result);
  }

  @Test
  void aChangedResultFilterChangesThePinnedHashAndNoFilterKeepsTheOldOne() {
    String none = hash(null);
    String redact = hash(JSON.readTree("{\"redact\":[\"email\"]}"));
    String fields = hash(JSON.readTree("{\"redact\":[\"email\"],\"fields\":[\"/id\"]}"));

    assertThat(none).isEqualTo(DescriptorHash.of("t", null, "d", "1", RiskClass.READ, "c",
        JSON.readTree("{\"type\":\"object\"}"), JSON.readTree("{\"method\":\"GET\"}")));
    assertThat(redact).isNotEqualTo(none);
    assertThat(fields).isNotEqualTo(redact);
  }
}
