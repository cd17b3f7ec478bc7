package dev.portcullis.edge;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sweeps idle MCP sessions once a minute, so sessions a client abandoned are dropped whether or not
 * anyone opens another. The schedule only says when to look; what is idle is decided by the
 * sessions' injected clock ({@link McpSessions#sweep}), which tests drive directly.
 */
final class SessionSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionSweeper.class);
  private static final long EVERY_SECONDS = 60;

  private final ScheduledExecutorService schedule;

  private SessionSweeper(ScheduledExecutorService schedule) {
    this.schedule = schedule;
  }

  static SessionSweeper start(McpSessions sessions) {
    ScheduledExecutorService schedule =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "portcullis-mcp-session-sweep");
              t.setDaemon(true);
              return t;
            });
    var _ =
        schedule.scheduleWithFixedDelay(
            () -> {
              try {
                int removed = sessions.sweep();
                if (removed > 0) {
                  LOG.debug("dropped {} idle MCP session(s)", removed);
                }
              } catch (RuntimeException e) {
                LOG.warn("the MCP session sweep failed; it runs again in {} s", EVERY_SECONDS, e);
              }
            },
            EVERY_SECONDS,
            EVERY_SECONDS,
            TimeUnit.SECONDS);
    return new SessionSweeper(schedule);
  }

  @Override
  public void close() {
    schedule.shutdownNow();
  }
}
