package dev.portcullis.catalog;

import java.util.List;

/**
 * Where approvals of upstream tool descriptors are kept (port). Append-only: re-approving a tool
 * adds a version; the history stays.
 *
 * <p>Lifecycle: opened with the store; read by a running gateway every few seconds and written by
 * {@code portcullis tools approve}, possibly from another process at the same time.
 */
public interface ToolPins {
  /** The newest approval of every tool, by tool name. */
  List<ToolPin> current() throws PinStoreException;

  /** Records a new approval of {@code tool}; returns it with its version. */
  ToolPin approve(
      String tool,
      String fingerprint,
      tools.jackson.databind.JsonNode descriptor,
      String approvedBy,
      java.time.Instant at)
      throws PinStoreException;

  /**
   * A quarantine a gateway node found (an approved tool whose descriptor changed upstream, or that
   * the upstream no longer offers), recorded against the approval it was found against: on a store
   * several nodes share, the tool is held on every node while that approval is the newest.
   */
  record Quarantine(
      String tool, int pinVersion, String reason, String node, java.time.Instant at) {}

  /**
   * Records {@code quarantine}, unless one is already recorded for its tool and approval (the first
   * node's stays); signals the other nodes when it is new. Answers whether it was new.
   */
  boolean quarantine(Quarantine quarantine) throws PinStoreException;

  /** The quarantines recorded against the newest approval of each tool. */
  List<Quarantine> quarantines() throws PinStoreException;

  /** The store could not be read or written. */
  final class PinStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public PinStoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
