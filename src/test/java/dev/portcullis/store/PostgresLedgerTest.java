package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.LedgerContract;
import dev.portcullis.invocation.Transition;
import dev.portcullis.testing.Invocations;
import dev.portcullis.testing.Postgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ledger contract on PostgreSQL, and what the shared store must refuse: the gateway's own
 * connection cannot rewrite, remove or truncate the log, and what an insider with a superuser's
 * rights changes anyway, the chain's verification catches.
 */
class PostgresLedgerTest extends LedgerContract {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final List<PostgresDatabase> open = new ArrayList<>();
  private PostgresDatabase.Settings last;

  @Override
  protected Books emptyBooks() {
    last = Postgres.freshDatabase();
    PostgresDatabase db = PostgresDatabase.open(last);
    open.add(db);
    return new Books(
        new JdbcLedger(db, JSON), new JdbcInvocationStore(db, JSON), new JdbcAuditLog(db, JSON));
  }

  private static Transition note(String invocationId, String tenant) {
    return Transition.note(
        AuditEntry.builder(
                Instant.parse("2026-11-23T10:00:01Z"), invocationId, "t", "DENIED", "sha256:config")
            .tenant(tenant)
            .agentId("a")
            .channel("rest")
            .toolName("t")
            .reasons(List.of("a reason"))
            .build());
  }

  private void asGateway(String statement) throws SQLException {
    try (Connection c = open.getLast().dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private void asSuperuser(String... statements) throws SQLException {
    try (Connection c = Postgres.superuser(last);
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  @Test
  void theGatewaysConnectionCannotRewriteRemoveOrTruncateTheLog() throws Exception {
    Books b = emptyBooks();
    b.ledger().write(note("inv-1", "acme"));

    for (String change :
        List.of(
            "UPDATE audit_log SET state = 'COMPLETED'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "UPDATE ledger_values SET value = 'globex'",
            "DELETE FROM ledger_values",
            "TRUNCATE ledger_values CASCADE")) {
      assertThatThrownBy(() -> asGateway(change))
          .as(change)
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("append-only");
    }
    assertThat(AuditVerifier.verify(b.log()).intact()).isTrue();
    assertThat(b.log().records("inv-1")).hasSize(1);
  }

  @Test
  void aSuperuserWhoEditsARecordOrASharedValueBehindTheTriggersIsCaught() throws Exception {
    Books b = emptyBooks();
    b.ledger().write(note("inv-1", "acme"));
    b.ledger().write(note("inv-2", "acme"));

    asSuperuser(
        "ALTER TABLE ledger_values DISABLE TRIGGER ALL",
        "UPDATE ledger_values SET value = 'globex' WHERE value = 'acme'",
        "ALTER TABLE ledger_values ENABLE TRIGGER ALL");

    assertThat(AuditVerifier.verify(b.log()).intact()).isFalse();
  }

  @Test
  void aSuperuserWhoRemovesTheLastRecordsIsCaughtByTheHead() throws Exception {
    Books b = emptyBooks();
    b.ledger().write(note("inv-1", "acme"));
    b.ledger().write(note("inv-2", "acme"));

    asSuperuser(
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DELETE FROM audit_log WHERE seq = 2",
        "ALTER TABLE audit_log ENABLE TRIGGER ALL");

    assertThat(AuditVerifier.verify(b.log()).intact()).isFalse();
  }

  @Test
  void aSuperuserWhoTruncatesTheLogIsCaughtByTheHead() throws Exception {
    Books b = emptyBooks();
    b.ledger().write(note("inv-1", "acme"));

    asSuperuser(
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log ENABLE TRIGGER ALL");

    assertThat(AuditVerifier.verify(b.log()).intact()).isFalse();
  }

  @Test
  void aRecordThatCannotBeWrittenLeavesNoRowBehind() throws Exception {
    Books b = emptyBooks();
    asSuperuser(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER refuse_records BEFORE INSERT ON audit_log"
            + " FOR EACH ROW EXECUTE FUNCTION refuse()");
    Invocation inv =
        Invocations.call(new AgentRef("a", "acme", null), "t", JSON.readTree("{}"), Map.of());

    assertThatThrownBy(() -> b.ledger().write(Transition.note(refusalRecord(inv))))
        .isInstanceOf(InvocationStore.StoreException.class)
        .hasMessageContaining("disk full");
    assertThat(b.log().records(inv.invocationId())).isEmpty();
    assertThat(b.log().head()).hasValueSatisfying(h -> assertThat(h.seq()).isZero());
  }

  @Test
  void aValueLongerThanAnIndexCanHoldIsSharedByItsDigest() throws Exception {
    Books b = emptyBooks();
    String tenant = "ü".repeat(5_000); // 10,000 bytes: more than a b-tree entry can hold
    b.ledger().write(note("inv-1", tenant));
    b.ledger().write(note("inv-2", tenant));

    assertThat(b.log().records("inv-2").getFirst().entry().tenant()).isEqualTo(tenant);
    assertThat(AuditVerifier.verify(b.log()).intact()).isTrue();
  }

  private static AuditEntry refusalRecord(Invocation inv) {
    return AuditEntry.builder(
            Instant.parse("2026-11-23T10:00:01Z"),
            inv.invocationId(),
            inv.traceId(),
            "DENIED",
            "sha256:config")
        .tenant(inv.tenant())
        .agentId(inv.agent().id())
        .channel(inv.channel())
        .toolName(inv.toolName())
        .build();
  }

  @AfterEach
  void close() {
    open.forEach(PostgresDatabase::close);
  }
}
