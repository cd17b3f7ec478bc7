package dev.portcullis.audit;

import java.util.Optional;

/**
 * Checks the whole chain: sequence numbers run 1, 2, 3… without gaps, each record names the hash of
 * the one before it, each hash matches the record's contents, and the last record is the head the
 * log vouches for (an empty log's head is the genesis: seq 0, {@link AuditChain#GENESIS}). Reports
 * the first record at fault.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /** How often, in records, a long verification reports progress. */
  public static final long PROGRESS_EVERY = 100_000;

  public static VerifyReport verify(AuditLog log) throws AuditLog.AuditUnavailableException {
    return verify(log, n -> {});
  }

  /** Verifies, calling {@code progress} with the count every {@link #PROGRESS_EVERY} records. */
  public static VerifyReport verify(AuditLog log, java.util.function.LongConsumer progress)
      throws AuditLog.AuditUnavailableException {
    Walker walker = new Walker(progress);
    log.scan(walker::visit);
    if (walker.failure != null) {
      return walker.failure;
    }
    Optional<AuditRecord.Head> head = log.head();
    long last = walker.expectedSeq - 1;
    if (head.isEmpty()) {
      // A log is created with its genesis head (seq 0) and every append moves it, so a log without
      // one lost it: emptied together with its records, or never initialised. Never "intact, 0".
      return last == 0
          ? VerifyReport.broken(
              1, 0, "the chain head is missing: the log was emptied or was never initialised")
          : VerifyReport.broken(
              last, walker.verified, "records exist but the chain head is missing");
    }
    if (head.get().seq() > last) {
      long first = last + 1;
      return VerifyReport.broken(
          first,
          walker.verified,
          "record "
              + first
              + " was removed: the head vouches for "
              + head.get().seq()
              + " records, "
              + last
              + " remain");
    }
    if (head.get().seq() < last) {
      long first = head.get().seq() + 1;
      return VerifyReport.broken(
          first,
          walker.verified,
          "record "
              + first
              + " is not vouched for: the head vouches for "
              + head.get().seq()
              + " records, "
              + last
              + " are stored");
    }
    if (!head.get().hash().equals(walker.prevHash)) {
      return VerifyReport.broken(
          last, walker.verified, "record " + last + " does not match the chain head");
    }
    return VerifyReport.ok(walker.verified);
  }

  private static final class Walker {
    final java.util.function.LongConsumer progress;
    long expectedSeq = 1;
    String prevHash = AuditChain.GENESIS;
    long verified;
    VerifyReport failure;

    Walker(java.util.function.LongConsumer progress) {
      this.progress = progress;
    }

    void visit(AuditRecord r) {
      if (failure != null) {
        return;
      }
      if (r.seq() != expectedSeq) {
        String what =
            r.seq() > expectedSeq
                ? "record " + expectedSeq + " was removed (next stored record is " + r.seq() + ")"
                : "record " + r.seq() + " is out of order (expected " + expectedSeq + ")";
        failure = VerifyReport.broken(expectedSeq, verified, what);
        return;
      }
      if (!r.prevHash().equals(prevHash)) {
        failure =
            VerifyReport.broken(
                r.seq(),
                verified,
                "record "
                    + r.seq()
                    + " does not follow record "
                    + (r.seq() - 1)
                    + " (removed, reordered or changed)");
        return;
      }
      String recomputed = AuditChain.hash(r.seq(), r.entry(), r.prevHash());
      if (!recomputed.equals(r.hash())) {
        failure =
            VerifyReport.broken(
                r.seq(),
                verified,
                "record " + r.seq() + " was changed: its hash does not match its contents");
        return;
      }
      prevHash = r.hash();
      expectedSeq++;
      verified++;
      if (verified % PROGRESS_EVERY == 0) {
        progress.accept(verified);
      }
    }
  }
}
