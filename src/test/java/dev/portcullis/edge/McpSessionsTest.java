package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.InMemorySessionStore;
import dev.portcullis.identity.SessionStore;
import dev.portcullis.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Sessions on a clock the test moves, on two "nodes" (two {@link McpSessions} over one store and
 * one key): binding to the agent, idle expiry, the bounds, and ids an attacker made.
 */
class McpSessionsTest {
  private static final McpSessions.Limits LIMITS =
      new McpSessions.Limits(2, 2, Duration.ofMinutes(60));
  private final TestClock clock = new TestClock();
  private final InMemorySessionStore store = new InMemorySessionStore();
  private final byte[] key = McpSessions.newKey();
  private final McpSessions nodeA = new McpSessions(clock, LIMITS, store, key);
  private final McpSessions nodeB = new McpSessions(clock, LIMITS, store, key);

  private String open(McpSessions node, String agent) {
    return switch (node.open(agent, "2025-11-25")) {
      case McpSessions.Opening.Opened(McpSessions.Session s) -> s.id();
      case McpSessions.Opening.Refused r -> throw new AssertionError("refused: " + r);
    };
  }

  @Test
  void aSessionOpenedOnOneNodeIsFoundOnAnotherWithItsVersion() {
    String id = open(nodeA, "support");

    assertThat(nodeB.find(id, "support"))
        .map(McpSessions.Session::protocolVersion)
        .contains("2025-11-25");
  }

  @Test
  void aSessionIsOnlyFoundForTheAgentThatOpenedIt() {
    String id = open(nodeA, "support");

    assertThat(nodeB.find(id, "billing")).isEmpty();
    assertThat(nodeB.close(id, "billing")).isFalse();
    assertThat(nodeA.find(id, "support")).as("a foreign close leaves it").isPresent();
  }

  @Test
  void aSessionEndedOnOneNodeIsGoneOnTheOther() {
    String id = open(nodeA, "support");

    assertThat(nodeB.close(id, "support")).isTrue();

    assertThat(nodeA.find(id, "support")).isEmpty();
    assertThat(nodeA.close(id, "support")).isFalse();
  }

  @Test
  void useKeepsASessionAliveAndIdlenessEndsIt() {
    String id = open(nodeA, "support");
    clock.advance(Duration.ofMinutes(50));
    assertThat(nodeB.find(id, "support")).isPresent();
    clock.advance(Duration.ofMinutes(50));
    assertThat(nodeA.find(id, "support")).as("used 50 min ago, on the other node").isPresent();

    clock.advance(Duration.ofMinutes(61));

    assertThat(nodeA.find(id, "support")).isEmpty();
    assertThat(nodeB.find(id, "support")).isEmpty();
  }

  @Test
  void aCallWithinATenthOfTheIdleTimeoutOfTheLastRecordedUseWritesNothing() {
    AtomicInteger touches = new AtomicInteger();
    SessionStore counting = new CountingStore(store, touches);
    McpSessions node = new McpSessions(clock, LIMITS, counting, key);
    String id = open(node, "support");

    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(1));
      assertThat(node.find(id, "support")).isPresent();
    }
    assertThat(touches).hasValue(0);

    clock.advance(Duration.ofMinutes(1)); // six minutes: a tenth of the hour
    assertThat(node.find(id, "support")).isPresent();
    assertThat(touches).hasValue(1);
  }

  @Test
  void theBoundsCountTheSessionsOfEveryNode() {
    open(nodeA, "support");
    open(nodeB, "support");

    assertThat(nodeA.open("support", "2025-11-25"))
        .isEqualTo(new McpSessions.Opening.Refused(true));
    assertThat(nodeB.open("billing", "2025-11-25"))
        .isEqualTo(new McpSessions.Opening.Refused(false));

    clock.advance(Duration.ofMinutes(61));
    assertThat(nodeB.open("support", "2025-11-25"))
        .as("idle sessions no longer count")
        .isInstanceOf(McpSessions.Opening.Opened.class);
  }

  @Test
  void theSweepRemovesIdleSessionsOnly() {
    McpSessions roomy =
        new McpSessions(
            clock, new McpSessions.Limits(100, 100, Duration.ofMinutes(60)), store, key);
    String abandoned = open(roomy, "support");
    String used = open(roomy, "support");
    clock.advance(Duration.ofMinutes(40));
    roomy.find(used, "support");
    clock.advance(Duration.ofMinutes(21));

    assertThat(roomy.sweep()).isEqualTo(1);

    assertThat(store.size()).isEqualTo(1);
    assertThat(roomy.find(used, "support")).isPresent();
    assertThat(roomy.find(abandoned, "support")).isEmpty();
  }

  @Test
  void anIdSignedWithAnotherInstallationsKeyIsUnknown() {
    McpSessions otherInstallation =
        new McpSessions(clock, LIMITS, store, McpSessions.newKey()); // same store, other key
    String foreign = open(otherInstallation, "support");

    assertThat(nodeA.find(foreign, "support")).isEmpty();
    assertThat(nodeA.close(foreign, "support")).isFalse();
    assertThat(otherInstallation.find(foreign, "support")).isPresent();
  }

  @Test
  void forgedTruncatedAndAlteredIdsAreUnknown() {
    String id = open(nodeA, "support");
    String[] parts = id.split("\\.", -1);

    assertThat(nodeA.find("forged", "support")).isEmpty();
    assertThat(nodeA.find("", "support")).isEmpty();
    assertThat(nodeA.find(null, "support")).isEmpty();
    assertThat(nodeA.find(id.substring(0, id.length() - 1), "support")).as("truncated").isEmpty();
    assertThat(nodeA.find(id.substring(0, id.lastIndexOf('.')), "support"))
        .as("without its MAC")
        .isEmpty();
    assertThat(nodeA.find(id + "A", "support")).as("lengthened").isEmpty();
    assertThat(nodeA.find("x".repeat(100_000), "support")).as("huge").isEmpty();

    // The same MAC over another agent's name: the MAC no longer fits.
    String billing =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("billing".getBytes(StandardCharsets.UTF_8));
    String otherAgent = String.join(".", parts[0], billing, parts[2], parts[3], parts[4], parts[5]);
    assertThat(nodeA.find(otherAgent, "billing")).isEmpty();
    // Another version, same MAC.
    String otherVersion =
        String.join(".", parts[0], parts[1], "2026-07-28", parts[3], parts[4], parts[5]);
    assertThat(nodeA.find(otherVersion, "support")).isEmpty();
    assertThat(nodeA.find(id, "support")).as("the genuine id still works").isPresent();
  }

  @Test
  void anIdHasOneSpellingEvenWhereABase64DecoderIgnoresTheLastCharactersLowBits() {
    McpSessionIds ids = new McpSessionIds(key);
    String id = ids.mint("support", "2025-11-25", clock.instant());
    String stem = id.substring(0, id.length() - 1);

    assertThat(ids.verify(id, "support")).isPresent();
    for (char c :
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray()) {
      if (c != id.charAt(id.length() - 1)) {
        assertThat(ids.verify(stem + c, "support")).as(stem + c).isEmpty();
      }
    }
  }

  @Test
  void aValidlySignedIdTheStoreDoesNotHoldIsUnknown() {
    McpSessionIds ids = new McpSessionIds(key);
    String neverOpened = ids.mint("support", "2025-11-25", clock.instant());

    assertThat(nodeA.find(neverOpened, "support")).isEmpty();
  }

  /** Our own port, wrapped to count the writes a call makes. */
  private record CountingStore(SessionStore inner, AtomicInteger touches) implements SessionStore {
    @Override
    public Opening open(StoredSession session, int max, int perAgent, Duration idleTimeout) {
      return inner.open(session, max, perAgent, idleTimeout);
    }

    @Override
    public Optional<StoredSession> find(String id) {
      return inner.find(id);
    }

    @Override
    public void touch(String id, Instant at) {
      touches.incrementAndGet();
      inner.touch(id, at);
    }

    @Override
    public boolean end(String id) {
      return inner.end(id);
    }

    @Override
    public int removeIdleBefore(Instant cutoff) {
      return inner.removeIdleBefore(cutoff);
    }
  }
}
