package dev.portcullis.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The contract every {@link ToolPins} keeps: approvals are versioned per tool from 1, the newest is
 * the one in force, a descriptor comes back exactly as approved, and two approvals of the same tool
 * at once both land, with distinct versions. Each adapter runs it through a thin subclass that
 * supplies a fresh, empty store.
 */
public abstract class ToolPinsContract {
  protected static final JsonMapper JSON = JsonMapper.builder().build();
  protected static final Instant AT = Instant.parse("2026-11-23T10:00:00.123456Z");
  private static final int RACES = 10;

  protected abstract ToolPins emptyPins() throws Exception;

  protected static JsonNode descriptor(String description) {
    return JSON.readTree(
        """
        {"name":"get_weather","description":"%s","inputSchema":{"type":"object",
         "properties":{"city":{"type":"string","maxLength":40}},"required":["city"]}}"""
            .formatted(description));
  }

  protected static String fingerprint(JsonNode descriptor) {
    return DescriptorHash.ofUpstream(descriptor);
  }

  private static ToolPin approve(
      ToolPins pins, String tool, String description, String by, Instant at)
      throws ToolPins.PinStoreException {
    JsonNode d = descriptor(description);
    return pins.approve(tool, fingerprint(d), d, by, at);
  }

  @Test
  void aQuarantineHoldsAgainstItsApprovalTheFirstRecordedStaysAndANewApprovalLiftsIt()
      throws Exception {
    ToolPins pins = emptyPins();
    ToolPin first = approve(pins, "weather.get_weather", "v1", "alice", AT);
    approve(pins, "weather.other", "v1", "alice", AT);
    ToolPins.Quarantine seen =
        new ToolPins.Quarantine(
            "weather.get_weather", first.version(), "changed upstream", "node-a", AT);

    assertThat(pins.quarantine(seen)).isTrue();
    assertThat(
            pins.quarantine(
                new ToolPins.Quarantine(
                    "weather.get_weather", first.version(), "gone", "node-b", AT.plusSeconds(1))))
        .as("a node that finds it too records nothing")
        .isFalse();
    assertThat(pins.quarantines()).containsExactly(seen);

    approve(pins, "weather.get_weather", "v1", "bob", AT.plusSeconds(60));
    assertThat(pins.quarantines()).as("approved again").isEmpty();
  }

  @Test
  void anEmptyStoreHasNoApprovals() throws Exception {
    assertThat(emptyPins().current()).isEmpty();
  }

  @Test
  void approvingAToolAgainAssignsTheNextVersionFromOne() throws Exception {
    ToolPins pins = emptyPins();

    ToolPin first = approve(pins, "weather.get_weather", "v1", "alice", AT);
    ToolPin second = approve(pins, "weather.get_weather", "v2", "bob", AT.plusSeconds(60));
    ToolPin third = approve(pins, "weather.get_weather", "v3", "carol", AT.plusSeconds(120));

    assertThat(List.of(first.version(), second.version(), third.version()))
        .containsExactly(1, 2, 3);
  }

  @Test
  void eachToolCountsItsOwnVersions() throws Exception {
    ToolPins pins = emptyPins();

    ToolPin a1 = approve(pins, "weather.get_weather", "a1", "alice", AT);
    ToolPin b1 = approve(pins, "weather.send_note", "b1", "alice", AT);
    ToolPin a2 = approve(pins, "weather.get_weather", "a2", "alice", AT);

    assertThat(a1.version()).isEqualTo(1);
    assertThat(b1.version()).isEqualTo(1);
    assertThat(a2.version()).isEqualTo(2);
  }

  @Test
  void currentIsOnlyTheNewestApprovalOfEachToolInNameOrder() throws Exception {
    ToolPins pins = emptyPins();
    approve(pins, "weather.send_note", "note v1", "alice", AT);
    approve(pins, "weather.get_weather", "weather v1", "alice", AT);
    ToolPin newestWeather =
        approve(pins, "weather.get_weather", "weather v2", "bob", AT.plusSeconds(60));
    ToolPin newestNote = approve(pins, "weather.send_note", "note v2", "bob", AT.plusSeconds(60));
    ToolPin newestWeather3 =
        approve(pins, "weather.get_weather", "weather v3", "carol", AT.plusSeconds(120));

    List<ToolPin> current = pins.current();

    assertThat(current).containsExactly(newestWeather3, newestNote);
    assertThat(current).doesNotContain(newestWeather);
  }

  @Test
  void anApprovalComesBackExactlyAsRecorded() throws Exception {
    ToolPins pins = emptyPins();
    JsonNode d =
        JSON.readTree(
            """
        {"title":"Wetter – aktuell ☀","name":"get_weather","description":"Line one\\nline \\"two\\"",
         "inputSchema":{"type":"object","properties":{"city":{"type":"string","maxLength":40},
           "days":{"type":"integer","minimum":1,"maximum":14,"default":3},"ratio":{"type":"number","multipleOf":0.25}},
           "required":["city"],"additionalProperties":false},
         "annotations":{"readOnlyHint":true,"destructiveHint":false,"hint":null},"tags":[3,"b",[],{}]}""");
    Instant at = Instant.parse("2026-11-23T10:00:00.123456789Z");

    ToolPin approved = pins.approve("weather.get_weather", fingerprint(d), d, "alice@acme.com", at);
    ToolPin stored = pins.current().getFirst();

    assertThat(stored).isEqualTo(approved);
    assertThat(stored.descriptor()).isEqualTo(d);
    assertThat(stored.descriptor().toString())
        .as("key order and number forms too")
        .isEqualTo(d.toString());
    assertThat(DescriptorHash.ofUpstream(stored.descriptor())).isEqualTo(stored.fingerprint());
    assertThat(stored.approvedAt()).isEqualTo(at);
    assertThat(stored.approvedBy()).isEqualTo("alice@acme.com");
  }

  @Test
  void twoApprovalsOfTheSameToolAtOnceBothLandWithDistinctVersions() throws Exception {
    ToolPins pins = emptyPins();
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      for (int round = 0; round < RACES; round++) {
        String tool = "weather.tool_" + round;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<ToolPin>> both = new ArrayList<>();
        for (String by : List.of("alice", "bob")) {
          both.add(
              pool.submit(
                  () -> {
                    start.await();
                    return approve(pins, tool, "by " + by, by, AT);
                  }));
        }
        start.countDown();
        List<Integer> versions = new ArrayList<>();
        for (Future<ToolPin> f : both) {
          versions.add(f.get(30, TimeUnit.SECONDS).version());
        }
        assertThat(versions).as("round %d", round).containsExactlyInAnyOrder(1, 2);
      }
    }
    assertThat(pins.current()).hasSize(RACES).allSatisfy(p -> assertThat(p.version()).isEqualTo(2));
  }
}
