package dev.portcullis.edge;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MCP sessions: an id handed out at {@code initialize}, bound to the agent that asked and to the
 * negotiated protocol version. Idle sessions expire; how many are held is bounded, per agent and in
 * all, so that one agent opening sessions in a loop locks out only itself.
 *
 * <p>Security: a session is only ever found for the agent that opened it, so a leaked session id is
 * useless with another agent's key (the answer is 404, as for an unknown id).
 *
 * <p>Concurrency: lookups read a concurrent map without locking; opening, closing and sweeping take
 * this object's lock, which keeps the per-agent counts equal to the map. Time is the injected
 * clock: {@link #sweep} (run on a schedule by the server, and when an open finds a bound reached,
 * at most once a second of that clock) removes every session idle longer than the timeout, so
 * abandoned sessions do not accumulate.
 */
public final class McpSessions {
  /** One session as held. */
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

  private final ConcurrentHashMap<String, Session> byId = new ConcurrentHashMap<>();

  /**
   * An open at a bound sweeps at most this often: a full sweep walks every session, and an agent at
   * its bound calling initialize in a loop must not make each refusal cost that walk.
   */
  private static final Duration SWEEP_AT_BOUND_EVERY = Duration.ofSeconds(1);

  private final Map<String, Integer> perAgent = new HashMap<>(); // guarded by this
  private Instant lastSweep = Instant.MIN; // guarded by this
  private final Clock clock;
  private final Limits limits;

  public McpSessions(Clock clock, Limits limits) {
    this.clock = clock;
    this.limits = limits;
  }

  /**
   * Opens a session for {@code agentId}, unless it or the gateway holds as many live ones as it
   * may.
   */
  public synchronized Opening open(String id, String agentId, String protocolVersion) {
    if (atBound(agentId)) {
      Instant now = clock.instant();
      if (!now.isBefore(lastSweep.plus(SWEEP_AT_BOUND_EVERY))) {
        sweep();
      }
      if (atBound(agentId)) {
        return new Opening.Refused(held(agentId) >= limits.perAgent());
      }
    }
    Session s = new Session(id, agentId, protocolVersion, clock.instant());
    byId.put(id, s);
    perAgent.merge(agentId, 1, Integer::sum);
    return new Opening.Opened(s);
  }

  /**
   * The live session {@code id} of {@code agentId}, touched; empty if unknown, expired or foreign.
   */
  public Optional<Session> find(String id, String agentId) {
    if (id == null) {
      return Optional.empty();
    }
    Session s = byId.get(id);
    if (s == null || !s.agentId().equals(agentId)) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (expired(s, now)) {
      remove(s);
      return Optional.empty();
    }
    Session touched = new Session(s.id(), s.agentId(), s.protocolVersion(), now);
    byId.replace(id, s, touched);
    return Optional.of(touched);
  }

  public boolean close(String id, String agentId) {
    return find(id, agentId).map(this::remove).orElse(false);
  }

  /** Removes every session idle longer than the timeout by the clock now; answers how many. */
  public synchronized int sweep() {
    Instant now = clock.instant();
    lastSweep = now;
    int removed = 0;
    for (Session s : byId.values()) {
      if (expired(s, now) && remove(s)) {
        removed++;
      }
    }
    return removed;
  }

  /** How many sessions are held now (expired ones included until they are swept). */
  public int size() {
    return byId.size();
  }

  private synchronized boolean remove(Session s) {
    Session gone = byId.remove(s.id());
    if (gone == null) {
      return false;
    }
    perAgent.computeIfPresent(gone.agentId(), (a, n) -> n <= 1 ? null : n - 1);
    return true;
  }

  private boolean atBound(String agentId) {
    return byId.size() >= limits.max() || held(agentId) >= limits.perAgent();
  }

  private int held(String agentId) {
    return perAgent.getOrDefault(agentId, 0);
  }

  private boolean expired(Session s, Instant now) {
    return s.lastSeen().plus(limits.idleTimeout()).isBefore(now);
  }
}
