package dev.portcullis.edge;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MCP sessions: an id handed out at {@code initialize}, bound to the agent that asked and to the
 * negotiated protocol version. Idle sessions expire; the number held is bounded.
 *
 * <p>Security: a session is only ever found for the agent that opened it, so a leaked session id
 * is useless with another agent's key (the answer is 404, as for an unknown id).
 *
 * <p>Concurrency: a concurrent map; expiry is swept lazily when a session is opened.
 */
public final class McpSessions {
  /** One session as held. */
  public record Session(String id, String agentId, String protocolVersion, Instant lastSeen) {}

  private final ConcurrentHashMap<String, Session> byId = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration idleTimeout;
  private final int maxSessions;

  public McpSessions(Clock clock, Duration idleTimeout, int maxSessions) {
    this.clock = clock;
    this.idleTimeout = idleTimeout;
    this.maxSessions = maxSessions;
  }

  /** Opens a session, or empty when the gateway holds as many live sessions as it may. */
  public Optional<Session> open(String id, String agentId, String protocolVersion) {
    if (byId.size() >= maxSessions) {
      sweep();
      if (byId.size() >= maxSessions) {
        return Optional.empty();
      }
    }
    Session s = new Session(id, agentId, protocolVersion, clock.instant());
    byId.put(id, s);
    return Optional.of(s);
  }

  /** The live session {@code id} of {@code agentId}, touched; empty if unknown, expired or foreign. */
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
      byId.remove(id, s);
      return Optional.empty();
    }
    Session touched = new Session(s.id(), s.agentId(), s.protocolVersion(), now);
    byId.replace(id, s, touched);
    return Optional.of(touched);
  }

  public boolean close(String id, String agentId) {
    return find(id, agentId).map(s -> byId.remove(id) != null).orElse(false);
  }

  private void sweep() {
    Instant now = clock.instant();
    byId.values().removeIf(s -> expired(s, now));
  }

  private boolean expired(Session s, Instant now) {
    return s.lastSeen().plus(idleTimeout).isBefore(now);
  }
}
