package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditChain;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.audit.VerifyReport;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.CredentialUse;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.ToolRef;
import dev.portcullis.invocation.Transition;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Migration V15 (the compact ledger) on a database the old schema wrote: built here by migrating to
 * V14 and inserting rows and chained records through the old SQL, then opened as the gateway opens
 * it. Every record must read back as written, so the chain still verifies.
 */
class LedgerMigrationTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String CONFIG =
      "812962f23a5a88233eb230a7b87cce49b56f99ac735728d676fc17c00e6ec261";
  private static final String POLICY =
      "sha256:bec0e04e1d3310ede6432aa4e684baf16a70f7ac6b814cde3446b7970c4f1243";
  private static final String DESCRIPTOR =
      "sha256:3cf52cdb12e2655731438ad0133aa64c9b3cfe5a7303703272382f8cf446e36a";
  private static final String ID = "08108638-f266-4e93-9576-371e18728309";
  private static final String PARKED = "14c440ff-833b-4750-8b8f-8d22952d9fed";

  @TempDir Path data;

  @Test
  void aLedgerWrittenByTheOldSchemaStillVerifiesAndReadsTheSame() throws Exception {
    List<AuditEntry> entries = oldLedger();

    try (EmbeddedDatabase db = EmbeddedDatabase.open(data)) {
      JdbcAuditLog log = new JdbcAuditLog(db, JSON);
      assertThat(AuditVerifier.verify(log)).isEqualTo(VerifyReport.ok(entries.size()));
      List<AuditRecord> read = new ArrayList<>();
      log.scan(read::add);
      assertThat(read).extracting(AuditRecord::entry).containsExactlyElementsOf(entries);
      assertThat(new LedgerCheck(db).disagreements(10)).isEmpty();

      JdbcInvocationStore store = new JdbcInvocationStore(db, JSON);
      StoredInvocation done = store.find(ID).orElseThrow();
      assertThat(done.invocation().receivedAt())
          .isEqualTo(Instant.parse("2026-12-07T16:31:54.396993512Z"));
      assertThat(done.invocation().traceId()).isEqualTo("1be4c5178066bd2bf03f7b46fe58827f");
      assertThat(done.invocation().sessionId()).isEqualTo("session-not-hex");
      assertThat(done.invocation().tool())
          .isEqualTo(new ToolRef("crm_get_customer", "1", DESCRIPTOR, "read", "acme"));
      assertThat(done.invocation().decision()).isEqualTo(decision());
      assertThat(done.invocation().credential())
          .isEqualTo(new CredentialUse("file:secrets/acme-api-token", 0, false));
      assertThat(done.argumentsDigest())
          .isEqualTo(AuditChain.sha256Hex("{\"customerId\":\"C-1\"}"));
      assertThat(done.ending().result().path("id").asString()).isEqualTo("C-1");
      assertThat(done.history())
          .extracting(StoredInvocation.StateChange::state)
          .containsExactly(
              InvocationState.RECEIVED,
              InvocationState.CHECKED,
              InvocationState.EXECUTING,
              InvocationState.COMPLETED);
      assertThat(done.history().getLast().at()).isEqualTo(Instant.parse("2026-12-07T16:31:55Z"));
      assertThat(store.inState(InvocationState.AWAITING_APPROVAL))
          .extracting(StoredInvocation::invocationId)
          .containsExactly(PARKED);

      // the chain goes on from the migrated head
      new JdbcLedger(db, JSON)
          .write(
              Transition.note(
                  AuditEntry.builder(Instant.now(), PARKED, "t", "AWAITING_APPROVAL", CONFIG)
                      .reasons(List.of("votes:1/2"))
                      .build()));
      assertThat(AuditVerifier.verify(log)).isEqualTo(VerifyReport.ok(entries.size() + 1));
    }

    try (Connection c = connect();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("UPDATE audit_log SET decision = 'deny' WHERE seq = 1"))
          .hasMessageContaining("audit_log is append-only");
      assertThatThrownBy(() -> s.execute("DELETE FROM audit_log WHERE seq = 1"))
          .hasMessageContaining("audit_log is append-only");
      assertThatThrownBy(() -> s.execute("UPDATE ledger_values SET value = 'x' WHERE id = 1"))
          .hasMessageContaining("ledger_values is append-only");
      assertThatThrownBy(() -> s.execute("DELETE FROM ledger_values"))
          .hasMessageContaining("ledger_values is append-only");
      assertThat(count(s, "SELECT count(*) FROM installation_keys")).isEqualTo(1);
      assertThat(count(s, "SELECT count(*) FROM approvals")).isEqualTo(1);
    }
  }

  /**
   * The old schema (V1 to V14), filled as the old ledger filled it; returns its records' entries.
   */
  private List<AuditEntry> oldLedger() throws SQLException {
    Flyway.configure()
        .dataSource("jdbc:sqlite:" + data.resolve(EmbeddedDatabase.FILE_NAME), null, null)
        .locations("classpath:db/migration/sqlite")
        .target("14")
        .loggers("slf4j")
        .load()
        .migrate();
    String args = "{\"customerId\":\"C-1\"}";
    String digest = AuditChain.sha256Hex(args);
    String longReport =
        "{\"dropped\":[" + "\"/a\",".repeat(600) + "\"/b\"],\"redacted\":[]}"; // past MAX_SHARED
    List<AuditEntry> entries =
        List.of(
            base(ID, "EXECUTING", "2026-12-07T16:31:54.397Z")
                .arguments(args)
                .argumentsDigest(digest)
                .decision("allow")
                .reasons(List.of("support-read-crm"))
                .policyVersion(POLICY)
                .build(),
            base(ID, "COMPLETED", "2026-12-07T16:31:55Z")
                .arguments(args)
                .argumentsDigest(digest)
                .decision("allow")
                .reasons(List.of("support-read-crm"))
                .durationMs(18L)
                .policyVersion(POLICY)
                .filtered(
                    "{\"dropped\":[],\"redacted\":[{\"path\":\"/email\",\"kind\":\"email\"}]}")
                .credential("{\"ref\":\"file:secrets/acme-api-token\"}")
                .build(),
            base(PARKED, "AWAITING_APPROVAL", "2026-12-07T16:31:56.010Z")
                .argumentsDigest(digest) // digest only
                .decision("require_approval")
                .reasons(List.of("refunds-need-approval", "approval:a-1"))
                .shadows("[{\"rule\":\"trial\",\"wouldBe\":\"allow\",\"flips\":true}]")
                .user("{\"id\":\"user-7\",\"verified\":true,\"roles\":[],\"groups\":[]}")
                .userId("user-7")
                .context("{\"region\":\"eu\"}")
                .policyVersion(POLICY)
                .build(),
            AuditEntry.builder(
                    Instant.parse("2026-12-07T16:31:57.100Z"),
                    "inv-odd",
                    "TRACE-Not-Hex",
                    "DENIED",
                    CONFIG)
                .toolName("no_such_tool")
                .errorKind("unknown_tool")
                .errorDetail("no tool named 'no_such_tool'")
                .filtered(longReport)
                .durationMs(0L)
                .build());
    try (Connection c = connect()) {
      String prev = AuditChain.GENESIS;
      long seq = 0;
      for (AuditEntry e : entries) {
        AuditRecord r = AuditChain.link(++seq, e, prev);
        insertOldRecord(c, r);
        prev = r.hash();
      }
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
        ps.setLong(1, seq);
        ps.setString(2, prev);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      insertOldRow(
          c,
          ID,
          "COMPLETED",
          "2026-12-07T16:31:54.396993512Z",
          "{\"reasons\":[],\"result\":{\"id\":\"C-1\",\"email\":\"[redacted:email]\"}}",
          JSON.writeValueAsString(new CredentialUse("file:secrets/acme-api-token", 0, false)));
      insertOldRow(c, PARKED, "AWAITING_APPROVAL", "2026-12-07T16:31:56Z", null, null);
      try (Statement s = c.createStatement()) {
        s.execute(
            "INSERT INTO approvals (approval_id, invocation_id, created_at, deadline, status, required)"
                + " VALUES ('a-1', '"
                + PARKED
                + "', '2026-12-07T16:31:56Z', '2026-12-08T16:31:56Z', 'pending', 2)");
        s.execute(
            "INSERT INTO installation_keys (name, key, created_at) VALUES ('upstream-idempotency', x'0102', '2026-12-07T16:00:00Z')");
      }
    }
    return entries.stream().map(e -> e.toBuilder().build()).toList();
  }

  private static AuditEntry.Builder base(String id, String state, String at) {
    return AuditEntry.builder(
            Instant.parse(at), id, "1be4c5178066bd2bf03f7b46fe58827f", state, CONFIG)
        .requestId("78")
        .tenant("acme")
        .agentId("support-assistant")
        .sessionId("session-not-hex")
        .channel("mcp")
        .toolName("crm_get_customer")
        .toolVersion("1")
        .descriptorHash(DESCRIPTOR);
  }

  private static Decision decision() {
    return new Decision(
        Effect.ALLOW,
        List.of("support-read-crm"),
        "permitted by rule support-read-crm: Support may read customers and orders.",
        List.of(),
        List.of(),
        POLICY);
  }

  /** The old ledger's INSERT of a record (V1 to V14: text everywhere, prev_hash stored). */
  private static void insertOldRecord(Connection c, AuditRecord r) throws SQLException {
    AuditEntry e = r.entry();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO audit_log (seq, recorded_at, invocation_id, trace_id, request_id, tenant, agent_id,"
                + " user_id, session_id, channel, tool_name, tool_version, descriptor_hash, arguments,"
                + " arguments_digest, state, decision, reasons, error_kind, error_detail, duration_ms,"
                + " config_hash, policy_version, shadows, user_detail, context, filtered, credential, prev_hash,"
                + " hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      int i = 1;
      ps.setLong(i++, r.seq());
      ps.setString(i++, AuditChain.timestamp(e));
      ps.setString(i++, e.invocationId());
      ps.setString(i++, e.traceId());
      ps.setString(i++, e.requestId());
      ps.setString(i++, e.tenant());
      ps.setString(i++, e.agentId());
      ps.setString(i++, e.userId());
      ps.setString(i++, e.sessionId());
      ps.setString(i++, e.channel());
      ps.setString(i++, e.toolName());
      ps.setString(i++, e.toolVersion());
      ps.setString(i++, e.descriptorHash());
      ps.setString(i++, e.arguments());
      ps.setString(i++, e.argumentsDigest());
      ps.setString(i++, e.state());
      ps.setString(i++, e.decision());
      ps.setString(i++, JSON.writeValueAsString(e.reasons()));
      ps.setString(i++, e.errorKind());
      ps.setString(i++, e.errorDetail());
      ps.setObject(i++, e.durationMs());
      ps.setString(i++, e.configHash());
      ps.setString(i++, e.policyVersion());
      ps.setString(i++, e.shadows());
      ps.setString(i++, e.user());
      ps.setString(i++, e.context());
      ps.setString(i++, e.filtered());
      ps.setString(i++, e.credential());
      ps.setString(i++, r.prevHash());
      ps.setString(i, r.hash());
      ps.executeUpdate();
    }
  }

  /** The old ledger's INSERT of a row (V7 to V14: JSON and ISO text). */
  private void insertOldRow(
      Connection c, String id, String state, String receivedAt, String ending, String credential)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO invocations (invocation_id, trace_id, request_id,"
                + " idempotency_key, holds_key, tenant, agent_id, agent_bundle, user_id, user_detail, session_id, channel,"
                + " tool_name, tool, descriptor_hash, arguments, arguments_digest, context, received_at, state, decision,"
                + " credential, ending, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      String args = "{\"customerId\":\"C-1\"}";
      int i = 1;
      ps.setString(i++, id);
      ps.setString(i++, "1be4c5178066bd2bf03f7b46fe58827f");
      ps.setString(i++, "78");
      ps.setString(i++, null);
      ps.setInt(i++, 0);
      ps.setString(i++, "acme");
      ps.setString(i++, "support-assistant");
      ps.setString(i++, null);
      ps.setString(i++, null);
      ps.setString(i++, null);
      ps.setString(i++, "session-not-hex");
      ps.setString(i++, "mcp");
      ps.setString(i++, "crm_get_customer");
      ps.setString(
          i++,
          JSON.writeValueAsString(
              new ToolRef("crm_get_customer", "1", DESCRIPTOR, "read", "acme")));
      ps.setString(i++, DESCRIPTOR);
      ps.setString(i++, args);
      ps.setString(i++, AuditChain.sha256Hex(args));
      ps.setString(i++, "{}");
      ps.setString(i++, receivedAt);
      ps.setString(i++, state);
      ps.setString(i++, JSON.writeValueAsString(decision()));
      ps.setString(i++, credential);
      ps.setString(i++, ending);
      ps.setString(i, "2026-12-07T16:31:55.000000001Z");
      ps.executeUpdate();
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + data.resolve(EmbeddedDatabase.FILE_NAME));
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
