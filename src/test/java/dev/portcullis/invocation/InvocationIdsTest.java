package dev.portcullis.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InvocationIdsTest {
  private static final Instant AT = Instant.parse("2026-12-07T16:00:00.123Z");

  @Test
  void anIdIsAVersionSevenUuidCarryingTheClocksMilliseconds() {
    UUID id = UUID.fromString(InvocationIds.next(Clock.fixed(AT, ZoneOffset.UTC)));

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(AT.toEpochMilli());
  }

  @Test
  void idsMintedLaterSortAfterEarlierOnesAsText() {
    List<String> ids = new ArrayList<>();
    for (int ms = 0; ms < 300; ms++) {
      ids.add(InvocationIds.next(Clock.fixed(AT.plusMillis(ms * 7L), ZoneOffset.UTC)));
    }

    assertThat(ids).isSorted();
  }

  @Test
  void idsMintedInTheSameMillisecondDifferInTheirRandomBits() {
    Clock clock = Clock.fixed(AT, ZoneOffset.UTC);
    Set<String> ids = new HashSet<>();
    Set<String> tails = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = InvocationIds.next(clock);
      ids.add(id);
      tails.add(id.substring(15));
    }

    assertThat(ids).hasSize(10_000);
    // 74 random bits: the part after the time and version differs between every pair.
    assertThat(tails).hasSize(10_000);
  }
}
