package dev.portcullis.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.identity.SessionStore.Opening;
import dev.portcullis.identity.SessionStore.StoredSession;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every {@link SessionStore} does; each adapter is a thin subclass that supplies one. */
public abstract class SessionStoreContract {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final Duration IDLE = Duration.ofMinutes(60);

  /** An empty store; called once per test. */
  protected abstract SessionStore emptyStore();

  private static StoredSession session(String id, String agent, Instant at) {
    return new StoredSession(id, agent, "2025-11-25", at, at);
  }

  @Test
  void anOpenedSessionIsFoundWithWhatItWasOpenedWith() {
    SessionStore store = emptyStore();

    assertThat(store.open(session("s1", "support", T0), 10, 10, IDLE)).isEqualTo(Opening.OPENED);

    assertThat(store.find("s1")).contains(session("s1", "support", T0));
    assertThat(store.find("s2")).isEmpty();
  }

  @Test
  void refusesAnAgentAtItsBoundWhileAnotherAgentStillOpens() {
    SessionStore store = emptyStore();
    store.open(session("a1", "greedy", T0), 10, 2, IDLE);
    store.open(session("a2", "greedy", T0), 10, 2, IDLE);

    assertThat(store.open(session("a3", "greedy", T0), 10, 2, IDLE))
        .isEqualTo(Opening.REFUSED_PER_AGENT);
    assertThat(store.open(session("b1", "fair", T0), 10, 2, IDLE)).isEqualTo(Opening.OPENED);
    assertThat(store.find("a3")).isEmpty();
  }

  @Test
  void refusesEveryoneAtTheInstallationsBound() {
    SessionStore store = emptyStore();
    store.open(session("a1", "one", T0), 2, 2, IDLE);
    store.open(session("b1", "two", T0), 2, 2, IDLE);

    assertThat(store.open(session("c1", "three", T0), 2, 2, IDLE))
        .isEqualTo(Opening.REFUSED_IN_ALL);
  }

  @Test
  void idleSessionsDoNotCountAgainstTheBounds() {
    SessionStore store = emptyStore();
    store.open(session("a1", "support", T0), 10, 1, IDLE);

    Instant later = T0.plus(IDLE).plusMillis(1);
    assertThat(store.open(session("a2", "support", later), 10, 1, IDLE)).isEqualTo(Opening.OPENED);
  }

  @Test
  void aTouchMovesTheLastUseForwardOnly() {
    SessionStore store = emptyStore();
    store.open(session("s1", "support", T0), 10, 10, IDLE);

    store.touch("s1", T0.plusSeconds(60));
    store.touch("s1", T0.plusSeconds(30));
    store.touch("unknown", T0.plusSeconds(60));

    assertThat(store.find("s1").orElseThrow().lastSeen()).isEqualTo(T0.plusSeconds(60));
    assertThat(store.find("s1").orElseThrow().openedAt()).isEqualTo(T0);
    assertThat(store.find("unknown")).isEmpty();
  }

  @Test
  void anEndedSessionIsGoneAndEndingItAgainSaysSo() {
    SessionStore store = emptyStore();
    store.open(session("s1", "support", T0), 10, 10, IDLE);

    assertThat(store.end("s1")).isTrue();
    assertThat(store.end("s1")).isFalse();
    assertThat(store.find("s1")).isEmpty();
  }

  @Test
  void theSweepRemovesOnlySessionsLastUsedBeforeTheCutoff() {
    SessionStore store = emptyStore();
    store.open(session("old", "support", T0), 10, 10, IDLE);
    store.open(session("used", "support", T0), 10, 10, IDLE);
    store.touch("used", T0.plusSeconds(120));

    assertThat(store.removeIdleBefore(T0.plusSeconds(60))).isEqualTo(1);

    assertThat(store.find("old")).isEmpty();
    assertThat(store.find("used")).isPresent();
  }
}
