package dev.portcullis.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions held in this process only: for one gateway node and for tests.
 *
 * <p>Concurrency: finds read a concurrent map without locking; opening takes this object's lock so
 * that the count it checks is the count it adds to. Counting walks the map, which is bounded by
 * {@code max}; opens are rare beside calls.
 */
public final class InMemorySessionStore implements SessionStore {
  private final ConcurrentHashMap<String, StoredSession> byId = new ConcurrentHashMap<>();

  @Override
  public synchronized Opening open(
      StoredSession session, int max, int perAgent, Duration idleTimeout) {
    Instant liveAfter = session.lastSeen().minus(idleTimeout);
    int all = 0;
    int agent = 0;
    for (StoredSession s : byId.values()) {
      if (!s.lastSeen().isBefore(liveAfter)) {
        all++;
        if (s.agentId().equals(session.agentId())) {
          agent++;
        }
      }
    }
    if (agent >= perAgent) {
      return Opening.REFUSED_PER_AGENT;
    }
    if (all >= max) {
      return Opening.REFUSED_IN_ALL;
    }
    byId.put(session.id(), session);
    return Opening.OPENED;
  }

  @Override
  public Optional<StoredSession> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  @Override
  public void touch(String id, Instant at) {
    byId.computeIfPresent(
        id,
        (k, s) ->
            s.lastSeen().isBefore(at)
                ? new StoredSession(s.id(), s.agentId(), s.protocolVersion(), s.openedAt(), at)
                : s);
  }

  @Override
  public boolean end(String id) {
    return byId.remove(id) != null;
  }

  @Override
  public int removeIdleBefore(Instant cutoff) {
    int removed = 0;
    for (StoredSession s : byId.values()) {
      if (s.lastSeen().isBefore(cutoff) && byId.remove(s.id(), s)) {
        removed++;
      }
    }
    return removed;
  }

  /** How many sessions are held now, idle ones included until they are removed. */
  public int size() {
    return byId.size();
  }
}
