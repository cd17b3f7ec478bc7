package dev.portcullis.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class DescriptorHashTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static String hash(JsonNode result) {
    return DescriptorHash.of(
        "t",
        null,
        "d",
        "1",
        RiskClass.READ,
        "c",
        JSON.readTree("{\"type\":\"object\"}"),
        JSON.readTree("{\"method\":\"GET\"}"),
        result);
  }

  @Test
  void aChangedResultFilterChangesThePinnedHashAndNoFilterKeepsTheOldOne() {
    String none = hash(null);
    String redact = hash(JSON.readTree("{\"redact\":[\"email\"]}"));
    String fields = hash(JSON.readTree("{\"redact\":[\"email\"],\"fields\":[\"/id\"]}"));

    // Pinned: a change to the canonical form would unpin every tool an operator approved.
    assertThat(none)
        .isEqualTo("sha256:81ae8d2e9f28b9c9b42e41c9efd3955d902bd49faa55e33014917c60f12e5b2a");
    assertThat(redact).isNotEqualTo(none);
    assertThat(fields).isNotEqualTo(redact);
  }
}
