package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.LedgerContract;
import dev.portcullis.invocation.Transition;
import dev.portcullis.testing.Invocations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The ledger contract on the embedded SQLite store, and what only a real database can show. */
class SqliteLedgerTest extends LedgerContract {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path dir;
  private final List<EmbeddedDatabase> open = new ArrayList<>();

  @Override
  protected Books emptyBooks() {
    EmbeddedDatabase db = EmbeddedDatabase.open(dir.resolve("db" + open.size()));
    open.add(db);
    return new Books(
        new JdbcLedger(db, JSON), new JdbcInvocationStore(db, JSON), new JdbcAuditLog(db, JSON));
  }

  private static Transition refusal(Invocation inv) {
    AuditEntry record =
        AuditEntry.builder(
                Instant.parse("2026-11-23T10:00:01Z"),
                inv.invocationId(),
                inv.traceId(),
                "DENIED",
                "sha256:config")
            .tenant(inv.tenant())
            .agentId(inv.agent().id())
            .channel(inv.channel())
            .toolName(inv.toolName())
            .arguments("{}")
            .argumentsDigest("d")
            .errorKind("policy")
            .errorDetail("no")
            .build();
    return Transition.open(
        inv,
        "d",
        false,
        List.of(InvocationState.DENIED),
        new Ending("policy", "no", List.of(), null),
        record);
  }

  /** Runs {@code statement} on the newest store, outside the ledger (a fault planted by a test). */
  private void sql(String statement) throws SQLException {
    try (Connection c = open.getLast().dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  @Test
  void aRecordThatCannotBeWrittenLeavesNoRowBehind() throws Exception {
    Books b = emptyBooks();
    sql(
        "CREATE TRIGGER refuse_records BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    Invocation inv =
        Invocations.call(new AgentRef("a", "acme", null), "t", JSON.readTree("{}"), Map.of());

    assertThatThrownBy(() -> b.ledger().write(refusal(inv)))
        .isInstanceOf(InvocationStore.StoreException.class)
        .hasMessageContaining("disk full");
    assertThat(b.store().find(inv.invocationId())).isEmpty();
  }

  @Test
  void aSharedValueOfAWriteThatFailedIsNotRememberedUnderAnIdAnotherValueTakes() throws Exception {
    // The write that fails first looks up its shared values (tenant, agent, configuration hash…),
    // inserting them in its rolled-back transaction; the next new value takes the freed id. Had the
    // ledger remembered the first write's ids, the retry would name that other value.
    Books b = emptyBooks();
    sql(
        "CREATE TRIGGER refuse_records BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    Invocation inv =
        Invocations.call(new AgentRef("a", "acme", null), "t", JSON.readTree("{}"), Map.of());
    assertThatThrownBy(() -> b.ledger().write(refusal(inv)))
        .isInstanceOf(InvocationStore.StoreException.class);
    sql("DROP TRIGGER refuse_records");
    AuditEntry other =
        AuditEntry.builder(Instant.now(), "other", "t", "DENIED", "sha256:another-config")
            .tenant("another-tenant")
            .agentId("another-agent")
            .channel("another-channel")
            .toolName("another-tool")
            .reasons(List.of("another-reason"))
            .build();
    b.ledger().write(Transition.note(other));

    b.ledger().write(refusal(inv));

    assertThat(dev.portcullis.audit.AuditVerifier.verify(b.log()).intact()).isTrue();
    assertThat(b.log().records(inv.invocationId()).getFirst().entry())
        .isEqualTo(refusal(inv).record());
    assertThat(b.store().find(inv.invocationId()).orElseThrow().invocation().tenant())
        .isEqualTo("acme");
  }

  @Test
  void aRowThatCannotBeWrittenLeavesNoRecordBehind() throws Exception {
    Books b = emptyBooks();
    sql(
        "CREATE TRIGGER refuse_rows BEFORE INSERT ON invocations BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    Invocation inv =
        Invocations.call(new AgentRef("a", "acme", null), "t", JSON.readTree("{}"), Map.of());

    assertThatThrownBy(() -> b.ledger().write(refusal(inv)))
        .isInstanceOf(InvocationStore.StoreException.class);
    List<Object> records = new ArrayList<>();
    b.log().scan(records::add);
    assertThat(records).isEmpty();
    assertThat(b.log().head()).hasValueSatisfying(h -> assertThat(h.seq()).isZero());
  }

  @Test
  void aNoteWrittenAfterItsCallMovedOnNamesTheStateTheCallIsInNow() throws Exception {
    Books b = emptyBooks();
    Invocation inv =
        Invocations.call(new AgentRef("a", "acme", null), "t", JSON.readTree("{}"), Map.of());
    b.ledger().write(refusal(inv));
    AuditEntry late = refusal(inv).record();
    AuditEntry parkedNotice =
        AuditEntry.builder(
                late.recordedAt(),
                late.invocationId(),
                late.traceId(),
                "AWAITING_APPROVAL",
                "sha256:config")
            .tenant(late.tenant())
            .agentId(late.agentId())
            .channel(late.channel())
            .toolName(late.toolName())
            .arguments("{}")
            .argumentsDigest("d")
            .reasons(List.of("notification:sent"))
            .build();

    b.ledger().write(Transition.note(parkedNotice));

    assertThat(b.log().records(inv.invocationId()))
        .extracting(r -> r.entry().state())
        .containsExactly("DENIED", "DENIED");
    assertThat(new LedgerCheck(open.getLast()).disagreements(10)).isEmpty();
  }

  @Test
  void failsWithATypedErrorWhenTheDatabaseIsGone() {
    EmbeddedDatabase db = EmbeddedDatabase.open(dir.resolve("closed"));
    JdbcLedger ledger = new JdbcLedger(db, JSON);
    db.close();
    Invocation inv =
        Invocations.call(new AgentRef("a", "acme", null), "t", JSON.readTree("{}"), Map.of());

    assertThatThrownBy(() -> ledger.write(refusal(inv)))
        .isInstanceOf(InvocationStore.StoreException.class)
        .hasMessageStartingWith("cannot write invocation inv-1 (DENIED) to the ledger: ");
  }

  @AfterEach
  void close() {
    open.forEach(EmbeddedDatabase::close);
  }
}
