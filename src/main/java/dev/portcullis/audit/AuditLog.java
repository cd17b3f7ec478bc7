package dev.portcullis.audit;

import java.util.function.Consumer;

/**
 * Reads the append-only, hash-chained audit log. Records are written only by the ledger ({@code
 * invocation.Ledger}), each with the row of the call it is about, totally ordered (each names the
 * hash of the one before it).
 */
public interface AuditLog {
  /** Visits every stored record in sequence order, exactly as stored (no checking). */
  void scan(Consumer<AuditRecord> visitor) throws AuditUnavailableException;

  /**
   * The stored records of one invocation, in sequence order, exactly as stored (no checking).
   * Implementations with an index on the invocation should override this scan of the whole log.
   */
  default java.util.List<AuditRecord> records(String invocationId)
      throws AuditUnavailableException {
    java.util.List<AuditRecord> out = new java.util.ArrayList<>();
    scan(
        r -> {
          if (invocationId.equals(r.entry().invocationId())) {
            out.add(r);
          }
        });
    return out;
  }

  /**
   * The stored head: the last sequence number and hash the log vouches for. A new log's head is the
   * genesis ({@code 0}, {@link AuditChain#GENESIS}); empty only when the head was lost.
   */
  java.util.Optional<AuditRecord.Head> head() throws AuditUnavailableException;

  /** The audit log cannot be written or read. */
  final class AuditUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuditUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
