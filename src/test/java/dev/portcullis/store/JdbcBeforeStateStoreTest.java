package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.BeforeState;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.Transition;
import dev.portcullis.testing.Invocations;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Before-states in the embedded database: kept with their invocation, once, and read back as
 * written.
 */
class JdbcBeforeStateStoreTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path dir;
  private Database db;
  private JdbcBeforeStateStore store;
  private Invocation call;

  @BeforeEach
  void open() throws Exception {
    db = openDatabase();
    call = Invocations.call("billing-assistant", "orders_refund", "{\"orderId\":\"O-5001\"}");
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
    store = new JdbcBeforeStateStore(db.dataSource(), JSON);
  }

  /** The database under test: SQLite here, PostgreSQL in the subclass. */
  protected Database openDatabase() {
    return EmbeddedDatabase.open(dir);
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void keepsTheCapturedStateWithItsInvocationAndReadsItBack() throws Exception {
    BeforeState s =
        new BeforeState(
            call.invocationId(),
            "orders_get",
            JSON.readTree("{\"orderId\":\"O-5001\"}"),
            JSON.readTree("{\"id\":\"O-5001\",\"status\":\"shipped\",\"total\":129.9}"),
            "abc",
            Instant.parse("2026-11-23T10:00:01Z"));

    store.save(s);

    assertThat(store.find(call.invocationId())).contains(s);
    assertThat(store.find("another")).isEmpty();
  }

  @Test
  void aSecondCaptureForTheSameInvocationIsRefusedAndTheFirstStays() throws Exception {
    BeforeState first =
        new BeforeState(
            call.invocationId(),
            "orders_get",
            JSON.readTree("{}"),
            JSON.readTree("{\"status\":\"shipped\"}"),
            "abc",
            Instant.parse("2026-11-23T10:00:01Z"));
    store.save(first);

    assertThatThrownBy(
            () ->
                store.save(
                    new BeforeState(
                        call.invocationId(),
                        "orders_get",
                        JSON.readTree("{}"),
                        JSON.readTree("{\"status\":\"refunded\"}"),
                        "def",
                        Instant.parse("2026-11-23T10:00:02Z"))))
        .isInstanceOf(InvocationStore.StoreException.class);
    assertThat(store.find(call.invocationId())).contains(first);
  }
}
