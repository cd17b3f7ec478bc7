package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.AuditEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link AuditLog} keeps. Each adapter runs it through a thin subclass that
 * supplies a fresh, empty log.
 */
public abstract class AuditLogContract {
  protected abstract AuditLog emptyLog() throws Exception;

  /**
   * Writes {@code entry} to {@code log} the way the gateway does (a ledger note), and answers its
   * record.
   */
  protected abstract AuditRecord append(AuditLog log, AuditEntry entry) throws Exception;

  public static AuditEntry entry(String invocationId, String state) {
    return AuditEntry.builder(
            Instant.parse("2026-11-23T10:00:00.123456Z"),
            invocationId,
            "0af7651916cd43dd8448eb211c80319c",
            state,
            "cfg")
        .requestId("req")
        .tenant("acme")
        .agentId("agent-a")
        .userId("user-7")
        .sessionId("sess")
        .channel("rest")
        .toolName("crm_get_customer")
        .toolVersion("1")
        .descriptorHash("sha256:abc")
        .arguments("{\"customerId\":\"C-1001\"}")
        .argumentsDigest("digest")
        .decision("allow")
        .reasons(List.of("support-read-crm"))
        .durationMs(12L)
        .policyVersion("sha256:policy")
        .user("{\"id\":\"user-7\",\"verified\":true}")
        .build();
  }

  @Test
  void firstRecordIsSequenceOneChainedToGenesis() throws Exception {
    AuditLog log = emptyLog();
    AuditRecord r = append(log, entry("i1", "EXECUTING"));

    assertThat(r.seq()).isEqualTo(1);
    assertThat(r.prevHash()).isEqualTo(AuditChain.GENESIS);
    assertThat(r.hash()).isEqualTo(AuditChain.hash(1, r.entry(), AuditChain.GENESIS));
  }

  @Test
  void eachRecordNamesTheHashOfTheOneBefore() throws Exception {
    AuditLog log = emptyLog();
    AuditRecord a = append(log, entry("i1", "EXECUTING"));
    AuditRecord b = append(log, entry("i1", "COMPLETED"));

    assertThat(b.seq()).isEqualTo(2);
    assertThat(b.prevHash()).isEqualTo(a.hash());
    assertThat(log.head()).contains(new AuditRecord.Head(2, b.hash()));
  }

  @Test
  void storesTheFilterReportAndCredentialAndHashesThemOnlyWhenPresent() throws Exception {
    AuditLog log = emptyLog();
    AuditEntry plain = entry("i1", "COMPLETED");
    String report =
        "{\"dropped\":[\"/secret\"],\"redacted\":[{\"path\":\"/email\",\"kind\":\"email\"}]}";
    AuditEntry filtered =
        AuditEntry.builder(
                plain.recordedAt(),
                plain.invocationId(),
                plain.traceId(),
                plain.state(),
                plain.configHash())
            .requestId(plain.requestId())
            .tenant(plain.tenant())
            .agentId(plain.agentId())
            .userId(plain.userId())
            .sessionId(plain.sessionId())
            .channel(plain.channel())
            .toolName(plain.toolName())
            .toolVersion(plain.toolVersion())
            .descriptorHash(plain.descriptorHash())
            .arguments(plain.arguments())
            .argumentsDigest(plain.argumentsDigest())
            .decision(plain.decision())
            .reasons(plain.reasons())
            .errorKind(plain.errorKind())
            .errorDetail(plain.errorDetail())
            .durationMs(plain.durationMs())
            .policyVersion(plain.policyVersion())
            .shadows(plain.shadows())
            .user(plain.user())
            .context(plain.context())
            .filtered(report)
            .credential("{\"ref\":\"vault:acme-api-token\",\"version\":2}")
            .build();

    AuditRecord r = append(log, filtered);
    List<AuditRecord> scanned = new ArrayList<>();
    log.scan(scanned::add);

    assertThat(scanned.getFirst().entry().filtered()).isEqualTo(report);
    assertThat(scanned.getFirst().entry().credential())
        .isEqualTo("{\"ref\":\"vault:acme-api-token\",\"version\":2}");
    assertThat(AuditChain.hash(1, scanned.getFirst().entry(), AuditChain.GENESIS))
        .isEqualTo(r.hash());
    assertThat(AuditChain.hash(1, plain, AuditChain.GENESIS)).isNotEqualTo(r.hash());
  }

  @Test
  void recordsOfOneInvocationAreItsOwnInSequenceOrder() throws Exception {
    AuditLog log = emptyLog();
    append(log, entry("i1", "AWAITING_APPROVAL"));
    append(log, entry("i2", "DENIED"));
    append(log, entry("i1", "EXECUTING"));
    append(log, entry("i1", "COMPLETED"));

    assertThat(log.records("i1"))
        .extracting(r -> r.entry().state())
        .containsExactly("AWAITING_APPROVAL", "EXECUTING", "COMPLETED");
    assertThat(log.records("i1")).extracting(AuditRecord::seq).containsExactly(1L, 3L, 4L);
    assertThat(log.records("nobody")).isEmpty();
  }

  @Test
  void scanReturnsRecordsExactlyAsAppendedInOrder() throws Exception {
    AuditLog log = emptyLog();
    List<AuditRecord> appended = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      appended.add(append(log, entry("i" + i, "DENIED")));
    }
    List<AuditRecord> scanned = new ArrayList<>();
    log.scan(scanned::add);

    assertThat(scanned).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(scanned.get(i).seq()).isEqualTo(appended.get(i).seq());
      assertThat(scanned.get(i).hash()).isEqualTo(appended.get(i).hash());
      assertThat(
              AuditChain.hash(
                  scanned.get(i).seq(), scanned.get(i).entry(), scanned.get(i).prevHash()))
          .as("a stored record hashes the same when read back")
          .isEqualTo(appended.get(i).hash());
    }
  }

  @Test
  void concurrentAppendsNeverForkTheChain() throws Exception {
    AuditLog log = emptyLog();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<AuditRecord>> futures = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String id = "i" + i;
        futures.add(pool.submit(() -> append(log, entry(id, "DENIED"))));
      }
      for (Future<AuditRecord> f : futures) {
        f.get();
      }
    }
    VerifyReport report = AuditVerifier.verify(log);

    assertThat(report.intact()).as(report.problem()).isTrue();
    assertThat(report.verified()).isEqualTo(64);
  }

  @Test
  void aNewLogVouchesForTheGenesis() throws Exception {
    assertThat(emptyLog().head()).contains(new AuditRecord.Head(0, AuditChain.GENESIS));
  }

  @Test
  void emptyLogVerifiesWithNoRecords() throws Exception {
    VerifyReport report = AuditVerifier.verify(emptyLog());

    assertThat(report.intact()).isTrue();
    assertThat(report.verified()).isZero();
  }
}
