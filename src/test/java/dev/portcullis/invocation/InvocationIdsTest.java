package dev.portcullis.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InvocationIdsTest {
  @Test
  void anIdIsAVersionSevenUuidCarryingTheMillisecondItWasMintedIn() {
    Instant at = Instant.parse("2026-12-07T16:31:54.396993512Z");
    UUID id = UUID.fromString(InvocationIds.next(at));

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(at.toEpochMilli());
  }

  @Test
  void idsMintedLaterSortAfterAndIdsOfOneMillisecondDiffer() {
    Instant at = Instant.parse("2026-12-07T16:31:54.396Z");
    String first = InvocationIds.next(at);
    String later = InvocationIds.next(at.plusMillis(1));
    Set<String> same = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      same.add(InvocationIds.next(at));
    }

    assertThat(later).isGreaterThan(first);
    assertThat(same).as("74 random bits per id").hasSize(10_000);
  }
}
