package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.Transition;
import dev.portcullis.store.JdbcAuditLog;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.store.LedgerCheck;
import dev.portcullis.store.PostgresDatabase;
import dev.portcullis.testing.Postgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * AuditTamperTest's cases on PostgreSQL, done as an insider: a superuser who disables the
 * append-only triggers first. The physical format differs from SQLite's (hashes and ids are text,
 * every shared value is stored by its id), so each edit is written for it; {@link AuditVerifier}
 * must name the same first record at fault as on SQLite.
 */
class PostgresAuditTamperTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private PostgresDatabase.Settings settings;
  private PostgresDatabase db;

  @BeforeEach
  void fiveRecords() throws Exception {
    settings = Postgres.freshDatabase();
    db = PostgresDatabase.open(settings);
    JdbcLedger ledger = new JdbcLedger(db, JSON);
    for (int i = 1; i <= 5; i++) {
      ledger.write(
          Transition.note(
              AuditLogContract.entry("inv-" + i, i % 2 == 0 ? "COMPLETED" : "EXECUTING")));
    }
  }

  @AfterEach
  void close() {
    db.close();
  }

  /** Runs {@code statements} as a superuser, with every trigger of the ledger's tables off. */
  private void asInsider(String... statements) throws SQLException {
    try (Connection c = Postgres.superuser(settings);
        Statement s = c.createStatement()) {
      for (String table : List.of("audit_log", "ledger_values", "audit_head")) {
        s.execute("ALTER TABLE " + table + " DISABLE TRIGGER ALL");
      }
      for (String statement : statements) {
        s.execute(statement);
      }
      for (String table : List.of("audit_log", "ledger_values", "audit_head")) {
        s.execute("ALTER TABLE " + table + " ENABLE TRIGGER ALL");
      }
    }
  }

  private VerifyReport verify() throws Exception {
    return AuditVerifier.verify(new JdbcAuditLog(db, JSON));
  }

  private void assertBrokenAt(long record, String problem) throws Exception {
    VerifyReport report = verify();
    assertThat(report.intact()).isFalse();
    assertThat(report.firstBadSeq()).isEqualTo(record);
    assertThat(report.problem()).startsWith(problem);
  }

  @Test
  void untouchedLogVerifies() throws Exception {
    VerifyReport report = verify();

    assertThat(report.intact()).isTrue();
    assertThat(report.verified()).isEqualTo(5);
  }

  @Test
  void aStoredStateItsAuditRecordsDoNotNameIsReported() throws Exception {
    Invocation call =
        Invocation.received(
            "inv-refund",
            "0af7651916cd43dd8448eb211c80319c",
            null,
            null,
            new AgentRef("billing-assistant", "acme", null),
            null,
            null,
            "rest",
            "orders_refund",
            JSON.readTree("{\"orderId\":\"O-5001\"}"),
            Map.of(),
            Instant.parse("2026-11-23T10:00:00Z"));
    new JdbcLedger(db, JSON)
        .write(
            Transition.open(
                call,
                "digest",
                false,
                List.of(InvocationState.CHECKED, InvocationState.EXECUTING),
                null,
                AuditEntry.builder(
                        call.receivedAt(), call.invocationId(), call.traceId(), "EXECUTING", "cfg")
                    .tenant(call.tenant())
                    .agentId(call.agent().id())
                    .channel(call.channel())
                    .toolName(call.toolName())
                    .arguments("{}")
                    .argumentsDigest("digest")
                    .decision("allow")
                    .build()));
    assertThat(new LedgerCheck(db).disagreements(10))
        .as("row and record written together")
        .isEmpty();

    asInsider("UPDATE invocations SET state = 'COMPLETED' WHERE invocation_id = 'inv-refund'");

    assertThat(verify().intact()).as("the chain itself is untouched").isTrue();
    assertThat(new LedgerCheck(db).disagreements(10))
        .extracting(Object::toString)
        .containsExactly(
            "invocation inv-refund is COMPLETED in the store but its last audit record says EXECUTING");
  }

  @Test
  void detectsAChangedField() throws Exception {
    asInsider("UPDATE audit_log SET decision = 'deny' WHERE seq = 3");

    assertBrokenAt(3, "record 3 was changed: its hash does not match its contents");
  }

  @Test
  void detectsAChangedRecordWhoseHashWasRecomputed() throws Exception {
    asInsider(
        "UPDATE audit_log SET arguments = '{}', hash = '" + "f".repeat(64) + "' WHERE seq = 3");

    assertBrokenAt(3, "record 3 ");
  }

  @Test
  void detectsARemovedRecord() throws Exception {
    asInsider("DELETE FROM audit_log WHERE seq = 3");

    assertBrokenAt(3, "record 3 was removed (next stored record is 4)");
  }

  @Test
  void detectsTheLastRecordRemoved() throws Exception {
    asInsider("DELETE FROM audit_log WHERE seq = 5");

    assertBrokenAt(5, "record 5 was removed: the head vouches for 5 records, 4 remain");
  }

  @Test
  void detectsATruncatedLog() throws Exception {
    asInsider("TRUNCATE audit_log");

    assertBrokenAt(1, "record 1 was removed: the head vouches for 5 records, 0 remain");
  }

  @Test
  void detectsALogTruncatedTogetherWithItsHead() throws Exception {
    asInsider("TRUNCATE audit_log, audit_head");

    assertBrokenAt(1, "the chain head is missing: the log was emptied or was never initialised");
  }

  @Test
  void detectsTwoRecordsSwapped() throws Exception {
    asInsider(
        "UPDATE audit_log SET seq = -2 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = -2");

    assertBrokenAt(2, "record 2 was changed: its hash does not match its contents");
  }

  /**
   * Edits that leave every record in place but change what one of them says. Every shared value is
   * stored once by id, so editing or removing one changes every record that uses it.
   */
  static Stream<Arguments> editsInPlace() {
    return Stream.of(
        Arguments.of(
            "an edited hash",
            "UPDATE audit_log SET hash = md5(random()::text) || md5(random()::text) WHERE seq = 4",
            4),
        Arguments.of(
            "an edited shared value",
            "UPDATE ledger_values SET value = 'forged' WHERE value = 'cfg'",
            1),
        Arguments.of(
            "an edited shared value with its digest",
            "UPDATE ledger_values SET value = 'forged', digest = sha256('forged') WHERE value = 'cfg'",
            1),
        Arguments.of("a removed shared value", "DELETE FROM ledger_values WHERE value = 'cfg'", 1),
        Arguments.of(
            "removed shared reasons",
            "DELETE FROM ledger_values WHERE value = '[\"support-read-crm\"]'",
            1),
        Arguments.of(
            "a record pointed at another shared value",
            "UPDATE audit_log SET policy_version = descriptor_hash WHERE seq = 3",
            3));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("editsInPlace")
  void detectsAnEditInPlaceAtTheFirstRecordItChanges(String edit, String statement, int record)
      throws Exception {
    asInsider(statement);

    assertBrokenAt(
        record, "record " + record + " was changed: its hash does not match its contents");
  }

  @Test
  void detectsAForgedTailThatRewroteEveryLaterHash() throws Exception {
    // Rewriting records 3 to 5 with another agent, each hash recomputed and chained, still leaves
    // the head out of step.
    List<AuditRecord> records = new ArrayList<>();
    new JdbcAuditLog(db, JSON).scan(records::add);
    String prev = records.get(1).hash();
    List<String> statements = new ArrayList<>();
    statements.add(
        "INSERT INTO ledger_values (value, digest) VALUES ('someone-else', sha256('someone-else'))");
    for (int i = 2; i < 5; i++) {
      AuditEntry e = records.get(i).entry();
      // the same record in every field but its agent
      AuditEntry forged = e.toBuilder().agentId("someone-else").build();
      String hash = AuditChain.hash(i + 1, forged, prev);
      statements.add(
          "UPDATE audit_log SET agent_id = (SELECT id FROM ledger_values WHERE value = 'someone-else'),"
              + " hash = '"
              + hash
              + "' WHERE seq = "
              + (i + 1));
      prev = hash;
    }
    asInsider(statements.toArray(String[]::new));

    assertThat(new JdbcAuditLog(db, JSON).records("inv-4").getFirst().entry().agentId())
        .as("the forgery reads back as written")
        .isEqualTo("someone-else");
    assertBrokenAt(5, "record 5 does not match the chain head");
  }
}
