package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Transition;
import dev.portcullis.store.EmbeddedDatabase;
import dev.portcullis.store.JdbcAuditLog;
import dev.portcullis.store.JdbcLedger;
import dev.portcullis.testing.CliRun;
import dev.portcullis.testing.Interrupted;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tampers with the SQLite file directly, as someone with access to the data directory could, and
 * expects {@code portcullis audit verify} to name the first record at fault each time.
 */
class AuditTamperTest {
  @TempDir Path data;

  @BeforeEach
  void fiveRecords() throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.open(data)) {
      JdbcLedger ledger = new JdbcLedger(db, JsonMapper.builder().build());
      for (int i = 1; i <= 5; i++) {
        ledger.write(
            Transition.note(
                AuditLogContract.entry("inv-" + i, i % 2 == 0 ? "COMPLETED" : "EXECUTING")));
      }
    }
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + data.resolve(EmbeddedDatabase.FILE_NAME));
        Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER IF EXISTS audit_log_no_update");
      s.execute("DROP TRIGGER IF EXISTS audit_log_no_delete");
      s.execute("DROP TRIGGER IF EXISTS ledger_values_no_update");
      s.execute("DROP TRIGGER IF EXISTS ledger_values_no_delete");
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private CliRun verify() {
    return CliRun.of("audit", "verify", "--data", data.toString());
  }

  @Test
  void aStoredStateItsAuditRecordsDoNotNameIsReported() throws Exception {
    String id =
        Interrupted.refund(data, null, "orders_refund", "{\"orderId\":\"O-5001\",\"amount\":1}");
    assertThat(verify().exitCode()).as("the ledger wrote row and record together").isZero();
    sql("UPDATE invocations SET state = 'COMPLETED' WHERE invocation_id = '" + id + "'");

    CliRun run = verify();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains("audit chain intact")
        .contains(
            "invocation "
                + id
                + " is COMPLETED in the store but its last audit record says EXECUTING");
  }

  @Test
  void untouchedLogVerifies() {
    CliRun run = verify();

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("audit chain intact: 5 records verified");
  }

  @Test
  void detectsAChangedField() throws Exception {
    sql("UPDATE audit_log SET decision = 'deny' WHERE seq = 3");
    CliRun run = verify();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .startsWith(
            "audit chain BROKEN at record 3: record 3 was changed: its hash does not match its contents");
  }

  @Test
  void detectsAChangedRecordWhoseHashWasRecomputed() throws Exception {
    sql("UPDATE audit_log SET arguments = '{}', hash = '" + "f".repeat(64) + "' WHERE seq = 3");
    CliRun run = verify();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("audit chain BROKEN at record 3:");
  }

  @Test
  void detectsARemovedRecord() throws Exception {
    sql("DELETE FROM audit_log WHERE seq = 3");
    CliRun run = verify();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .startsWith(
            "audit chain BROKEN at record 3: record 3 was removed (next stored record is 4)");
  }

  @Test
  void detectsTheLastRecordRemoved() throws Exception {
    sql("DELETE FROM audit_log WHERE seq = 5");
    CliRun run = verify();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .startsWith(
            "audit chain BROKEN at record 5: record 5 was removed: the head vouches for 5 records, 4 remain");
  }

  @Test
  void detectsTwoRecordsSwapped() throws Exception {
    sql(
        "UPDATE audit_log SET seq = -2 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = -2");
    CliRun run = verify();

    // No record stores its predecessor's hash (V15): the hash of record 2 covers its seq and the
    // hash of record 1, so the record now in second place does not hash to what it stores.
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .startsWith(
            "audit chain BROKEN at record 2: record 2 was changed: its hash does not match its contents");
  }

  /**
   * Edits that leave every record in place but change what one of them says: the first record whose
   * stored hash no longer matches its contents is named. Shared values (V15) are stored once and
   * named by id, so editing or removing one changes every record that uses it.
   */
  static Stream<Arguments> editsInPlace() {
    return Stream.of(
        Arguments.of(
            "an edited hash", "UPDATE audit_log SET hash = randomblob(32) WHERE seq = 4", 4),
        Arguments.of(
            "an edited shared value",
            "UPDATE ledger_values SET value = 'forged' WHERE value = 'cfg'",
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
    sql(statement);
    CliRun run = verify();

    assertThat(run.exitCode()).as(edit).isEqualTo(1);
    assertThat(run.out())
        .as(edit)
        .startsWith(
            "audit chain BROKEN at record "
                + record
                + ": record "
                + record
                + " was changed: its hash does not match its contents");
  }

  @Test
  void detectsAForgedTailThatRewroteEveryLaterHash() throws Exception {
    // Rewriting record 3 and re-chaining 4 and 5 still leaves the head out of step.
    var records = new java.util.ArrayList<AuditRecord>();
    try (EmbeddedDatabase db = EmbeddedDatabase.open(data)) {
      new JdbcAuditLog(db, JsonMapper.builder().build()).scan(records::add);
    }
    String prev = records.get(1).hash();
    java.util.List<String> statements = new java.util.ArrayList<>();
    for (int i = 2; i < 5; i++) {
      AuditEntry e = records.get(i).entry();
      // the same record in every field but its agent
      AuditEntry forged = e.toBuilder().agentId("someone-else").build();
      String hash = AuditChain.hash(i + 1, forged, prev);
      statements.add(
          "UPDATE audit_log SET agent_id = 'someone-else', hash = unhex('"
              + hash
              + "') WHERE seq = "
              + (i + 1));
      prev = hash;
    }
    sql(statements.toArray(String[]::new));
    CliRun run = verify();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .startsWith("audit chain BROKEN at record 5: record 5 does not match the chain head");
  }

  @Test
  void databaseRefusesUpdatesAndDeletesWhileTriggersStand() throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + data.resolve(EmbeddedDatabase.FILE_NAME));
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("UPDATE audit_log SET decision = 'deny' WHERE seq = 1"))
          .hasMessageContaining("audit_log is append-only");
      assertThatThrownBy(() -> s.execute("DELETE FROM audit_log WHERE seq = 1"))
          .hasMessageContaining("audit_log is append-only");
    }
    assertThat(verify().exitCode()).isZero();
  }

  @Test
  void reportsAMissingLogWithWhatToDo(@TempDir Path empty) {
    CliRun run = CliRun.of("audit", "verify", "--data", empty.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("no audit log in " + empty).contains("--data");
  }

  @Test
  void detectsALogEmptiedTogetherWithItsHead() throws Exception {
    sql("DELETE FROM audit_log", "DELETE FROM audit_head");
    CliRun run = verify();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .startsWith(
            "audit chain BROKEN at record 1: the chain head is missing: the log was emptied or was never initialised");
  }
}
