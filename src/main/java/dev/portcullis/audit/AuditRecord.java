package dev.portcullis.audit;

import dev.portcullis.invocation.AuditEntry;
import java.util.Objects;

/** An entry as stored: its place in the chain, the previous record's hash and its own. */
public record AuditRecord(long seq, AuditEntry entry, String prevHash, String hash) {
  public AuditRecord {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(prevHash, "prevHash");
    Objects.requireNonNull(hash, "hash");
  }

  /** The last record the log vouches for: catches a record removed from the end. */
  public record Head(long seq, String hash) {}
}
