package dev.portcullis.audit;

import java.util.function.Consumer;

/**
 * The append-only, hash-chained audit log.
 *
 * <p>Contract: {@link #append} is durable when it returns, and appends are totally ordered (each
 * record names the hash of the one before it). An append that cannot be made durable throws
 * {@link AuditUnavailableException}; callers fail closed.
 */
public interface AuditLog {
  AuditRecord append(AuditEntry entry) throws AuditUnavailableException;

  /** Visits every stored record in sequence order, exactly as stored (no checking). */
  void scan(Consumer<AuditRecord> visitor) throws AuditUnavailableException;

  /** The stored head: the last sequence number and hash the log vouches for, if any. */
  java.util.Optional<AuditRecord.Head> head() throws AuditUnavailableException;

  /** The audit log cannot be written or read. */
  final class AuditUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuditUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
