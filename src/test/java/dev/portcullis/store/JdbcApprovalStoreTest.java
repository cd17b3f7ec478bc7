package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore.Ballot;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.invocation.ArgumentsEdit;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.testing.Invocations;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** Approval requests in the embedded database: recorded, listed, decided once; votes and edits. */
class JdbcApprovalStoreTest {
  @TempDir Path dir;
  private EmbeddedDatabase db;
  private JdbcApprovalStore store;
  private JdbcInvocationStore invocations;
  private final Instant now = Instant.parse("2026-11-23T10:00:00Z");

  @BeforeEach
  void open() throws Exception {
    db = EmbeddedDatabase.open(dir);
    Invocation call = Invocations.call("billing-assistant", "orders_refund", "{\"amount\":120}");
    invocations = new JdbcInvocationStore(db.dataSource(), JsonMapper.builder().build());
    invocations.record(call, "digest");
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

  @Test
  void keepsHowManyApproversARequestNeeds() throws Exception {
    assertThat(store.find("ap-1").orElseThrow().required()).isEqualTo(1);
    assertThat(parkedNeedingTwo().required()).isEqualTo(2);
  }

  @Test
  void theVoteThatCompletesTheQuorumApprovesAndVotesCountOnlyForTheArgumentsTheyApproved() throws Exception {
    ApprovalRequest r = parkedNeedingTwo();

    Ballot olivia = store.vote(vote("ops-olivia", "digest-2", 1));
    Ballot twice = store.vote(vote("ops-olivia", "digest-2", 2));
    Ballot stale = store.vote(vote("ops-omar", "another-digest", 3));
    Ballot.Kind edited = store.edit(r.approvalId(), "digest-2", edit("digest-2b", "ops-omar"));
    Ballot omar = store.vote(vote("ops-omar", "digest-2b", 4));
    Ballot oliviaAgain = store.vote(vote("ops-olivia", "digest-2b", 5));
    Ballot late = store.vote(vote("ops-oscar", "digest-2b", 6));

    assertThat(olivia).isEqualTo(new Ballot(Ballot.Kind.RECORDED, 1));
    assertThat(twice.kind()).isEqualTo(Ballot.Kind.ALREADY_VOTED);
    assertThat(stale.kind()).isEqualTo(Ballot.Kind.STALE);
    assertThat(edited).isEqualTo(Ballot.Kind.RECORDED);
    assertThat(omar).isEqualTo(new Ballot(Ballot.Kind.RECORDED, 1));
    assertThat(oliviaAgain).isEqualTo(new Ballot(Ballot.Kind.APPROVED, 2));
    assertThat(late.kind()).isEqualTo(Ballot.Kind.NOT_PENDING);
    ApprovalRequest decided = store.find(r.approvalId()).orElseThrow();
    assertThat(decided.status()).isEqualTo(ApprovalStatus.APPROVED);
    assertThat(decided.decidedBy()).isEqualTo("ops-olivia");
    assertThat(store.votes(r.approvalId())).extracting(v -> v.approver() + "@" + v.argumentsDigest())
        .containsExactly("ops-olivia@digest-2", "ops-omar@digest-2b", "ops-olivia@digest-2b");
    assertThat(store.edit(r.approvalId(), "digest-2b", edit("digest-2c", "ops-oscar")))
        .isEqualTo(Ballot.Kind.NOT_PENDING);
  }

  @Test
  void anEditNeedsTheDigestItReplacesAndKeepsTheAgentsArguments() throws Exception {
    ApprovalRequest r = parkedNeedingTwo();

    Ballot.Kind stale = store.edit(r.approvalId(), "not-the-digest", edit("digest-2b", "ops-omar"));
    StoredInvocation untouched = invocations.find("inv-2").orElseThrow();
    Ballot.Kind edited = store.edit(r.approvalId(), "digest-2", edit("digest-2b", "ops-omar"));
    StoredInvocation after = invocations.find("inv-2").orElseThrow();

    assertThat(stale).isEqualTo(Ballot.Kind.STALE);
    assertThat(untouched.edit()).isNull();
    assertThat(edited).isEqualTo(Ballot.Kind.RECORDED);
    assertThat(after.argumentsDigest()).isEqualTo("digest-2");
    assertThat(after.invocation().arguments().path("amount").asInt()).isEqualTo(120);
    assertThat(after.edit().editedBy()).isEqualTo("ops-omar");
    assertThat(after.current().arguments().path("amount").asInt()).isEqualTo(90);
    assertThat(after.currentDigest()).isEqualTo("digest-2b");
    assertThat(store.votes(r.approvalId())).isEmpty();
  }

  @Test
  void noVoteIsTakenWhileTheCallIsNotAwaitingApproval() throws Exception {
    assertThat(store.vote(new ApprovalVote("ap-1", "ops-olivia", "digest", now, null)).kind())
        .isEqualTo(Ballot.Kind.NOT_PENDING);
    assertThat(store.votes("ap-1")).isEmpty();
  }

  /** A second call, parked AWAITING_APPROVAL, with request ap-2 needing two approvers. */
  private ApprovalRequest parkedNeedingTwo() throws Exception {
    Invocation one = Invocations.call("billing-assistant", "orders_refund", "{\"amount\":120}");
    Invocation two = new Invocation("inv-2", one.traceId(), null, null, one.agent(), null, null, one.channel(),
        one.toolName(), null, one.arguments(), one.policyContext(), one.receivedAt(), one.state(), null, null);
    invocations.record(two, "digest-2");
    invocations.move(two, InvocationState.RECEIVED, List.of(InvocationState.CHECKED, InvocationState.AWAITING_APPROVAL),
        null, now);
    ApprovalRequest r = ApprovalRequest.pending("ap-2", "inv-2", now, now.plus(Duration.ofHours(1)), 2);
    store.create(r);
    return store.find("ap-2").orElseThrow();
  }

  private ApprovalVote vote(String approver, String digest, int second) {
    return new ApprovalVote("ap-2", approver, digest, now.plusSeconds(second), null);
  }

  private ArgumentsEdit edit(String digest, String by) {
    return new ArgumentsEdit(Invocations.JSON.readTree("{\"amount\":90}"), digest, by, now.plusSeconds(30));
  }
}
