package dev.portcullis.edge;

import dev.portcullis.identity.InMemorySessionStore;
import dev.portcullis.identity.SessionStore;
import dev.portcullis.identity.SessionStore.StoredSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * MCP sessions (protocol revisions up to 2025-11-25): an id handed out at {@code initialize}, bound
 * to the agent that asked and to the negotiated protocol version, valid on every gateway node that
 * shares the installation's store and key. Idle sessions expire; how many are live is bounded, per
 * agent and in all, so that one agent opening sessions in a loop locks out only itself.
 *
 * <p>Security: ids are signed ({@link McpSessionIds}); a session is only ever found for the agent
 * that opened it, so a leaked id is useless with another agent's key (the answer is 404, as for an
 * unknown, forged, ended or expired id). An id that does not verify never reaches the store.
 *
 * <p>Shared state: the {@link SessionStore} holds which sessions are live (so an end on one node is
 * seen on all, and the bounds count every node's sessions) and when each was last used. A call
 * reads its session and writes nothing, unless the stored last use is older than a tenth of the
 * idle timeout: then it records the use. So a session in use never expires, and an unused one
 * expires between nine tenths of the idle timeout and the whole of it after its last use.
 *
 * <p>Time is the injected clock; {@link #sweep} (run on a schedule by the server) removes the
 * sessions idle past the timeout.
 */
public final class McpSessions {
  /** One session as found. */
  public record Session(String id, String agentId, String protocolVersion, Instant lastSeen) {}

  /** The bounds: sessions in all, per agent, and how long an unused session lives. */
  public record Limits(int max, int perAgent, Duration idleTimeout) {
    public static final Limits DEFAULT = new Limits(10_000, 1_000, Duration.ofHours(1));

    public Limits {
      if (max <= 0 || perAgent <= 0 || perAgent > max || !idleTimeout.isPositive()) {
        throw new IllegalArgumentException(
            "session limits must be positive, with perAgent at most max: "
                + max
                + ", "
                + perAgent
                + ", "
                + idleTimeout);
      }
    }
  }

  /** What {@link #open} did: opened a session, or refused at a bound. */
  public sealed interface Opening {
    record Opened(Session session) implements Opening {}

    /** Refused: {@code perAgent} when the agent is at its own bound, else the gateway is full. */
    record Refused(boolean perAgent) implements Opening {}
  }

  private final Clock clock;
  private final Limits limits;
  private final SessionStore store;
  private final McpSessionIds ids;
  private final Duration touchEvery;

  public McpSessions(Clock clock, Limits limits, SessionStore store, byte[] key) {
    this.clock = clock;
    this.limits = limits;
    this.store = store;
    this.ids = new McpSessionIds(key);
    this.touchEvery = limits.idleTimeout().dividedBy(10);
  }

  /** A fresh random session key for an installation (kept in its store as an installation key). */
  public static byte[] newKey() {
    return McpSessionIds.newKey();
  }

  /** Sessions in this process's memory under a fresh key: one node only (and tests). */
  public static McpSessions inMemory(Clock clock, Limits limits) {
    return new McpSessions(clock, limits, new InMemorySessionStore(), McpSessionIds.newKey());
  }

  /**
   * Opens a session for {@code agentId}, unless it or the gateway holds as many live ones as it
   * may.
   */
  public Opening open(String agentId, String protocolVersion) {
    Instant now = clock.instant();
    String id = ids.mint(agentId, protocolVersion, now);
    return switch (store.open(
        new StoredSession(id, agentId, protocolVersion, now, now),
        limits.max(),
        limits.perAgent(),
        limits.idleTimeout())) {
      case OPENED -> new Opening.Opened(new Session(id, agentId, protocolVersion, now));
      case REFUSED_PER_AGENT -> new Opening.Refused(true);
      case REFUSED_IN_ALL -> new Opening.Refused(false);
    };
  }

  /**
   * The live session {@code id} of {@code agentId}; empty if forged, foreign, unknown, ended or
   * idle past the timeout.
   */
  public Optional<Session> find(String id, String agentId) {
    Optional<McpSessionIds.Claims> claims = ids.verify(id, agentId);
    if (claims.isEmpty()) {
      return Optional.empty();
    }
    Optional<StoredSession> stored = store.find(id);
    if (stored.isEmpty()
        || !stored.get().agentId().equals(agentId)
        || !stored.get().protocolVersion().equals(claims.get().protocolVersion())) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    Instant lastSeen = stored.get().lastSeen();
    if (lastSeen.plus(limits.idleTimeout()).isBefore(now)) {
      return Optional.empty(); // idle: the sweep removes it
    }
    if (!now.isBefore(lastSeen.plus(touchEvery))) {
      store.touch(id, now);
    }
    return Optional.of(new Session(id, agentId, claims.get().protocolVersion(), now));
  }

  /** Ends the live session {@code id} of {@code agentId}; answers whether there was one. */
  public boolean close(String id, String agentId) {
    return find(id, agentId).map(s -> store.end(s.id())).orElse(false);
  }

  /** Removes every session idle longer than the timeout by the clock now; answers how many. */
  public int sweep() {
    return store.removeIdleBefore(clock.instant().minus(limits.idleTimeout()));
  }
}
