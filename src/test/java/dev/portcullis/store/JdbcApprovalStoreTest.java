package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.testing.Invocations;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** Approval requests in the embedded database: recorded, listed, decided once. */
class JdbcApprovalStoreTest {
  @TempDir Path dir;
  private EmbeddedDatabase db;
  private JdbcApprovalStore store;
  private final Instant now = Instant.parse("2026-11-23T10:00:00Z");

  @BeforeEach
  void open() throws Exception {
    db = EmbeddedDatabase.open(dir);
    Invocation call = Invocations.call("billing-assistant", "orders_refund", "{\"amount\":120}");
    new JdbcInvocationStore(db.dataSource(), JsonMapper.builder().build()).record(call, "digest");
    store = new JdbcApprovalStore(db.dataSource());
    store.create(ApprovalRequest.pending("ap-1", call.invocationId(), now, now.plus(Duration.ofHours(1))));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void keepsAPendingRequestWithItsDeadline() throws Exception {
    ApprovalRequest r = store.find("ap-1").orElseThrow();

    assertThat(r.status()).isEqualTo(ApprovalStatus.PENDING);
    assertThat(r.deadline()).isEqualTo(now.plus(Duration.ofHours(1)));
    assertThat(r.decidedBy()).isNull();
    assertThat(store.inStatus(ApprovalStatus.PENDING)).extracting(ApprovalRequest::approvalId).containsExactly("ap-1");
  }

  @Test
  void decidesARequestOnceAndRecordsWhoWhenAndWhy() throws Exception {
    boolean first = store.decide("ap-1", ApprovalStatus.DENIED, "ops-olivia", now.plusSeconds(60), "duplicate");
    boolean second = store.decide("ap-1", ApprovalStatus.APPROVED, "ops-omar", now.plusSeconds(61), null);

    assertThat(first).isTrue();
    assertThat(second).isFalse();
    ApprovalRequest r = store.find("ap-1").orElseThrow();
    assertThat(r.status()).isEqualTo(ApprovalStatus.DENIED);
    assertThat(r.decidedBy()).isEqualTo("ops-olivia");
    assertThat(r.decidedAt()).isEqualTo(now.plusSeconds(60));
    assertThat(r.reason()).isEqualTo("duplicate");
    assertThat(store.inStatus(ApprovalStatus.PENDING)).isEmpty();
  }

  @Test
  void aRequestIsAnswerableUntilItsDeadlineAndNotAfter() throws Exception {
    ApprovalRequest r = store.find("ap-1").orElseThrow();

    assertThat(r.pastDeadline(r.deadline())).isFalse();
    assertThat(r.pastDeadline(r.deadline().plusMillis(1))).isTrue();
  }
}
