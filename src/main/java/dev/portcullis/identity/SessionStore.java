package dev.portcullis.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The state of MCP sessions that every gateway node sharing an installation must see: which
 * sessions are live, whose they are, and when each was last used (coarsely). Opening, ending and
 * sweeping write; finding a session only reads, so a call on an open session writes nothing unless
 * its last use is older than the caller's touch interval.
 *
 * <p>Bounds: {@link #open} counts only sessions that are not idle past {@code idleTimeout}, and
 * refuses at the agent's bound or the installation's. On a store several nodes write at once, two
 * opens racing on different nodes may each see one place left: the bounds hold to within the number
 * of opens in flight at that moment.
 */
public interface SessionStore {
  /** One live session as stored. */
  record StoredSession(
      String id, String agentId, String protocolVersion, Instant openedAt, Instant lastSeen) {}

  /** What {@link #open} did. */
  enum Opening {
    OPENED,
    /** The agent holds as many live sessions as it may. */
    REFUSED_PER_AGENT,
    /** The installation holds as many live sessions as it may. */
    REFUSED_IN_ALL
  }

  /**
   * Stores {@code session} unless the agent's live sessions number {@code perAgent} or all live
   * sessions number {@code max}; a session is live while its last use is after {@code
   * session.lastSeen() - idleTimeout}.
   */
  Opening open(StoredSession session, int max, int perAgent, Duration idleTimeout);

  /** The session {@code id}, if it is stored (expired or not: the caller judges idleness). */
  Optional<StoredSession> find(String id);

  /** Records that {@code id} was used at {@code at}, if it is still stored. */
  void touch(String id, Instant at);

  /** Ends {@code id}; answers whether it was stored. */
  boolean end(String id);

  /** Removes every session last used before {@code cutoff}; answers how many. */
  int removeIdleBefore(Instant cutoff);
}
