package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.AuditEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The verifier against a log held in memory, so each kind of damage can be made exactly: records
 * removed, reordered, re-chained or changed, and a head that is missing or out of step.
 */
class AuditVerifierTest {
  /** The audit log port over a list: stores exactly what it is given, checks nothing. */
  private static final class ListLog implements AuditLog {
    final List<AuditRecord> records = new ArrayList<>();
    Optional<AuditRecord.Head> head = Optional.of(new AuditRecord.Head(0, AuditChain.GENESIS));

    AuditRecord append(AuditEntry entry) {
      AuditRecord r =
          AuditChain.link(
              records.size() + 1L,
              entry,
              records.isEmpty() ? AuditChain.GENESIS : records.getLast().hash());
      records.add(r);
      head = Optional.of(new AuditRecord.Head(r.seq(), r.hash()));
      return r;
    }

    @Override
    public void scan(Consumer<AuditRecord> visitor) {
      records.forEach(visitor);
    }

    @Override
    public Optional<AuditRecord.Head> head() {
      return head;
    }
  }

  private static ListLog log(int records) {
    ListLog log = new ListLog();
    for (int i = 1; i <= records; i++) {
      log.append(AuditLogContract.entry("inv-" + i, "COMPLETED"));
    }
    return log;
  }

  private static VerifyReport verify(AuditLog log) throws Exception {
    return AuditVerifier.verify(log);
  }

  @Test
  void anIntactChainVerifiesEveryRecord() throws Exception {
    assertThat(verify(log(3))).isEqualTo(new VerifyReport(true, 3, 0, null));
  }

  @Test
  void anEmptyLogWithItsGenesisHeadIsIntact() throws Exception {
    assertThat(verify(log(0))).isEqualTo(new VerifyReport(true, 0, 0, null));
  }

  @Test
  void anEmptyLogWithoutAHeadIsNotIntact() throws Exception {
    ListLog log = log(0);
    log.head = Optional.empty();

    VerifyReport report = verify(log);

    assertThat(report.intact()).isFalse();
    assertThat(report.firstBadSeq()).isEqualTo(1);
    assertThat(report.problem())
        .isEqualTo("the chain head is missing: the log was emptied or was never initialised");
  }

  @Test
  void recordsWithoutAHeadAreNotIntact() throws Exception {
    ListLog log = log(3);
    log.head = Optional.empty();

    assertThat(verify(log))
        .isEqualTo(new VerifyReport(false, 3, 3, "records exist but the chain head is missing"));
  }

  @Test
  void aGapInTheSequenceNamesTheFirstMissingRecordAndStopsThere() throws Exception {
    ListLog log = log(5);
    log.records.remove(1);

    assertThat(verify(log))
        .isEqualTo(new VerifyReport(false, 1, 2, "record 2 was removed (next stored record is 3)"));
  }

  @Test
  void aRepeatedSequenceNumberIsOutOfOrder() throws Exception {
    ListLog log = log(3);
    log.records.add(1, log.records.get(0));

    assertThat(verify(log))
        .isEqualTo(new VerifyReport(false, 1, 2, "record 1 is out of order (expected 2)"));
  }

  @Test
  void aRecordNotChainedToTheOneBeforeIsReported() throws Exception {
    ListLog log = log(3);
    AuditRecord second = log.records.get(1);
    String forgedPrev = "f".repeat(64);
    log.records.set(
        1,
        new AuditRecord(
            2, second.entry(), forgedPrev, AuditChain.hash(2, second.entry(), forgedPrev)));

    assertThat(verify(log))
        .isEqualTo(
            new VerifyReport(
                false, 1, 2, "record 2 does not follow record 1 (removed, reordered or changed)"));
  }

  @Test
  void aChangedRecordIsReported() throws Exception {
    ListLog log = log(3);
    AuditRecord third = log.records.get(2);
    log.records.set(
        2,
        new AuditRecord(
            3,
            AuditLogContract.entry("someone-else", "COMPLETED"),
            third.prevHash(),
            third.hash()));

    assertThat(verify(log))
        .isEqualTo(
            new VerifyReport(
                false, 2, 3, "record 3 was changed: its hash does not match its contents"));
  }

  @Test
  void aHeadAheadOfTheRecordsMeansTheLastWereRemoved() throws Exception {
    ListLog log = log(5);
    log.records.removeLast();
    log.records.removeLast();

    assertThat(verify(log))
        .isEqualTo(
            new VerifyReport(
                false, 3, 4, "record 4 was removed: the head vouches for 5 records, 3 remain"));
  }

  @Test
  void aHeadBehindTheRecordsIsReported() throws Exception {
    ListLog log = log(3);
    log.head = Optional.of(new AuditRecord.Head(2, log.records.get(1).hash()));

    assertThat(verify(log))
        .isEqualTo(
            new VerifyReport(
                false,
                3,
                3,
                "record 3 is not vouched for: the head vouches for 2 records, 3 are stored"));
  }

  @Test
  void aHeadWithAnotherHashThanTheLastRecordIsReported() throws Exception {
    ListLog log = log(3);
    log.head = Optional.of(new AuditRecord.Head(3, "e".repeat(64)));

    assertThat(verify(log))
        .isEqualTo(new VerifyReport(false, 3, 3, "record 3 does not match the chain head"));
  }

  @Test
  void reportsProgressEveryHundredThousandRecords() throws Exception {
    ListLog log = new ListLog();
    AuditEntry entry = AuditLogContract.entry("inv", "COMPLETED");
    for (long i = 0; i < AuditVerifier.PROGRESS_EVERY + 1; i++) {
      log.append(entry);
    }
    List<Long> progress = new ArrayList<>();

    VerifyReport report = AuditVerifier.verify(log, progress::add);

    assertThat(report.verified()).isEqualTo(100_001);
    assertThat(progress).containsExactly(100_000L);
  }

  @Test
  void theDefaultRecordsScanFindsOneInvocationsRecordsInOrder() throws Exception {
    ListLog log = new ListLog();
    log.append(AuditLogContract.entry("i1", "EXECUTING"));
    log.append(AuditLogContract.entry("i2", "DENIED"));
    log.append(AuditLogContract.entry("i1", "COMPLETED"));

    assertThat(log.records("i1")).extracting(AuditRecord::seq).containsExactly(1L, 3L);
    assertThat(log.records("nobody")).isEmpty();
  }
}
