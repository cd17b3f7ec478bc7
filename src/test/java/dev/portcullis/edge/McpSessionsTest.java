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
  private final McpSessions sessions =
      new McpSessions(clock, new McpSessions.Limits(2, 2, Duration.ofMinutes(60)));

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

    assertThat(sessions.open("s3", "support", "2025-11-25"))
        .isInstanceOf(McpSessions.Opening.Refused.class);
    clock.advance(Duration.ofMinutes(61));
    assertThat(sessions.open("s3", "support", "2025-11-25"))
        .isInstanceOf(McpSessions.Opening.Opened.class);
  }

  @Test
  void oneAgentAtItsBoundIsRefusedWhileAnotherCanStillOpen() {
    McpSessions shared =
        new McpSessions(clock, new McpSessions.Limits(10, 3, Duration.ofMinutes(60)));
    for (int i = 0; i < 3; i++) {
      assertThat(shared.open("greedy-" + i, "greedy", "2025-11-25"))
          .isInstanceOf(McpSessions.Opening.Opened.class);
    }

    assertThat(shared.open("greedy-3", "greedy", "2025-11-25"))
        .isEqualTo(new McpSessions.Opening.Refused(true));
    assertThat(shared.open("fair-0", "fair", "2025-11-25"))
        .isInstanceOf(McpSessions.Opening.Opened.class);
    assertThat(shared.close("greedy-0", "greedy")).isTrue();
    assertThat(shared.open("greedy-3", "greedy", "2025-11-25"))
        .as("a closed session frees its place")
        .isInstanceOf(McpSessions.Opening.Opened.class);
  }

  @Test
  void theSweepRemovesIdleSessionsBeforeAnyBoundIsReached() {
    McpSessions roomy =
        new McpSessions(clock, new McpSessions.Limits(100, 100, Duration.ofMinutes(60)));
    roomy.open("abandoned", "support", "2025-11-25");
    roomy.open("used", "support", "2025-11-25");
    clock.advance(Duration.ofMinutes(40));
    roomy.find("used", "support");
    clock.advance(Duration.ofMinutes(21));

    assertThat(roomy.sweep()).isEqualTo(1);

    assertThat(roomy.size()).isEqualTo(1);
    assertThat(roomy.find("used", "support")).isPresent();
    assertThat(roomy.find("abandoned", "support")).isEmpty();
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
