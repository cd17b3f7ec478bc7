package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Sessions on a clock the test moves: binding to the agent, idle expiry, the bound on how many. */
class McpSessionsTest {
  private final MovingClock clock = new MovingClock();
  private final McpSessions sessions = new McpSessions(clock, Duration.ofMinutes(60), 2);

  @Test
  void aSessionIsOnlyFoundForTheAgentThatOpenedIt() {
    sessions.open("s1", "support", "2025-11-25");

    assertThat(sessions.find("s1", "support")).isPresent();
    assertThat(sessions.find("s1", "billing")).isEmpty();
    assertThat(sessions.close("s1", "billing")).isFalse();
    assertThat(sessions.find("s1", "support")).as("a foreign close leaves it").isPresent();
  }

  @Test
  void useKeepsASessionAliveAndIdlenessEndsIt() {
    sessions.open("s1", "support", "2025-11-25");
    clock.advance(Duration.ofMinutes(50));
    assertThat(sessions.find("s1", "support")).isPresent();
    clock.advance(Duration.ofMinutes(50));
    assertThat(sessions.find("s1", "support")).as("touched 50 min ago").isPresent();

    clock.advance(Duration.ofMinutes(61));

    assertThat(sessions.find("s1", "support")).isEmpty();
  }

  @Test
  void refusesNewSessionsAtTheBoundUntilIdleOnesExpire() {
    sessions.open("s1", "support", "2025-11-25");
    sessions.open("s2", "support", "2025-11-25");

    assertThat(sessions.open("s3", "support", "2025-11-25")).isEmpty();
    clock.advance(Duration.ofMinutes(61));
    assertThat(sessions.open("s3", "support", "2025-11-25")).isPresent();
  }

  @Test
  void aClosedSessionIsGone() {
    sessions.open("s1", "support", "2025-11-25");

    assertThat(sessions.close("s1", "support")).isTrue();
    assertThat(sessions.find("s1", "support")).isEmpty();
    assertThat(sessions.find(null, "support")).isEmpty();
  }

  private static final class MovingClock extends Clock {
    private Instant now = Instant.parse("2026-11-23T10:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
