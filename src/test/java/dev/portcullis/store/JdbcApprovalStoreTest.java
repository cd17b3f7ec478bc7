package dev.portcullis.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.approval.ApprovalRequest;
import dev.portcullis.approval.ApprovalStatus;
import dev.portcullis.approval.ApprovalStore.Ballot;
import dev.portcullis.approval.ApprovalVote;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.invocation.ArgumentsEdit;
import dev.portcullis.invocation.AuditEntry;
import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.invocation.Transition;
import dev.portcullis.testing.Invocations;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Approval requests in the embedded database: parked with their call, decided once with their
 * call's move, votes and edits each with their audit record, every change in one transaction.
 */
class JdbcApprovalStoreTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  @TempDir Path dir;
  private Database db;
  private JdbcApprovalStore store;
  private JdbcInvocationStore invocations;
  private JdbcAuditLog log;
  private JdbcLedger ledger;
  private final Instant now = Instant.parse("2026-11-23T10:00:00Z");
  private Invocation call;

  @BeforeEach
  void open() throws Exception {
    db = openDatabase();
    invocations = new JdbcInvocationStore(db, JSON);
    log = new JdbcAuditLog(db, JSON);
    ledger = new JdbcLedger(db, JSON);
    store = new JdbcApprovalStore(ledger);
    call = Invocations.call("billing-assistant", "orders_refund", "{\"amount\":120}");
    store.park(
        ApprovalRequest.pending("ap-1", call.invocationId(), now, now.plus(Duration.ofHours(1))),
        parking(call, "digest"));
  }

  /** The database under test: SQLite here, PostgreSQL in the subclass. */
  protected Database openDatabase() {
    return EmbeddedDatabase.open(dir);
  }

  @AfterEach
  void close() {
    db.close();
  }

  private AuditEntry record(Invocation inv, InvocationState state, String reason) {
    return AuditEntry.builder(now, inv.invocationId(), inv.traceId(), state.name(), "sha256:config")
        .tenant(inv.tenant())
        .agentId(inv.agent().id())
        .channel(inv.channel())
        .toolName(inv.toolName())
        .arguments(inv.arguments().toString())
        .argumentsDigest("d")
        .reasons(List.of(reason))
        .build();
  }

  private Transition parking(Invocation inv, String digest) {
    return Transition.open(
        inv.movedTo(InvocationState.CHECKED),
        digest,
        inv.idempotencyKey() != null,
        List.of(InvocationState.CHECKED, InvocationState.AWAITING_APPROVAL),
        null,
        record(inv, InvocationState.AWAITING_APPROVAL, "parked"));
  }

  private Transition end(Invocation inv, InvocationState to, String reason) {
    return Transition.move(
        inv.movedTo(InvocationState.CHECKED).movedTo(InvocationState.AWAITING_APPROVAL),
        InvocationState.AWAITING_APPROVAL,
        List.of(to),
        new Ending("approval_denied", reason, List.of(), null),
        record(inv, to, reason));
  }

  private List<String> reasons() throws Exception {
    List<String> out = new ArrayList<>();
    log.scan(
        r ->
            out.add(
                r.entry().invocationId()
                    + ":"
                    + r.entry().state()
                    + ":"
                    + r.entry().reasons().getFirst()));
    return out;
  }

  @Test
  void parksTheCallAndItsRequestTogether() throws Exception {
    ApprovalRequest r = store.find("ap-1").orElseThrow();

    assertThat(r.status()).isEqualTo(ApprovalStatus.PENDING);
    assertThat(r.deadline()).isEqualTo(now.plus(Duration.ofHours(1)));
    assertThat(r.decidedBy()).isNull();
    assertThat(store.inStatus(ApprovalStatus.PENDING))
        .extracting(ApprovalRequest::approvalId)
        .containsExactly("ap-1");
    assertThat(store.forInvocation(call.invocationId())).contains(r);
    assertThat(invocations.find(call.invocationId()).orElseThrow().state())
        .isEqualTo(InvocationState.AWAITING_APPROVAL);
    assertThat(reasons()).containsExactly("inv-1:AWAITING_APPROVAL:parked");
  }

  @Test
  void aCallWhoseKeyIsHeldIsNotParkedAndGetsNoRequest() throws Exception {
    Invocation first =
        new Invocation(
            "inv-k1",
            call.traceId(),
            null,
            "key-1",
            call.agent(),
            null,
            null,
            call.channel(),
            call.toolName(),
            null,
            call.arguments(),
            call.policyContext(),
            call.receivedAt(),
            call.state(),
            null,
            null);
    Invocation second =
        new Invocation(
            "inv-k2",
            call.traceId(),
            null,
            "key-1",
            call.agent(),
            null,
            null,
            call.channel(),
            call.toolName(),
            null,
            call.arguments(),
            call.policyContext(),
            call.receivedAt(),
            call.state(),
            null,
            null);
    store.park(
        ApprovalRequest.pending("ap-k1", "inv-k1", now, now.plusSeconds(60)), parking(first, "d"));

    Ledger.Written held =
        store.park(
            ApprovalRequest.pending("ap-k2", "inv-k2", now, now.plusSeconds(60)),
            parking(second, "d"));

    assertThat(held)
        .isInstanceOfSatisfying(
            Ledger.Written.KeyHeld.class,
            k -> assertThat(k.holder().invocationId()).isEqualTo("inv-k1"));
    assertThat(store.find("ap-k2")).isEmpty();
    assertThat(invocations.find("inv-k2")).isEmpty();
    assertThat(log.records("inv-k2")).isEmpty();
  }

  @Test
  void decidesARequestOnceWithItsCallsMoveAndRecordsWhoWhenAndWhy() throws Exception {
    boolean first =
        store.decide(
            "ap-1",
            ApprovalStatus.DENIED,
            "ops-olivia",
            now.plusSeconds(60),
            "duplicate",
            end(call, InvocationState.DENIED, "denied"));
    boolean second =
        store.decide(
            "ap-1",
            ApprovalStatus.EXPIRED,
            "deadline",
            now.plusSeconds(61),
            null,
            end(call, InvocationState.EXPIRED, "expired"));

    assertThat(first).isTrue();
    assertThat(second).isFalse();
    ApprovalRequest r = store.find("ap-1").orElseThrow();
    assertThat(r.status()).isEqualTo(ApprovalStatus.DENIED);
    assertThat(r.decidedBy()).isEqualTo("ops-olivia");
    assertThat(r.decidedAt()).isEqualTo(now.plusSeconds(60));
    assertThat(r.reason()).isEqualTo("duplicate");
    assertThat(store.inStatus(ApprovalStatus.PENDING)).isEmpty();
    assertThat(invocations.find(call.invocationId()).orElseThrow().state())
        .isEqualTo(InvocationState.DENIED);
    assertThat(reasons()).containsExactly("inv-1:AWAITING_APPROVAL:parked", "inv-1:DENIED:denied");
  }

  @Test
  void aDecisionWhoseCallCannotMoveLeavesTheRequestPending() throws Exception {
    ledger.write(end(call, InvocationState.CANCELLED, "cancelled by hand"));

    assertThatThrownBy(
            () ->
                store.decide(
                    "ap-1",
                    ApprovalStatus.DENIED,
                    "ops-olivia",
                    now,
                    "no",
                    end(call, InvocationState.DENIED, "denied")))
        .isInstanceOf(InvocationStore.StateConflictException.class)
        .hasMessage(
            "invocation inv-1 is CANCELLED, not AWAITING_APPROVAL; another writer moved it");
    assertThat(store.find("ap-1").orElseThrow().status()).isEqualTo(ApprovalStatus.PENDING);
    assertThat(reasons())
        .containsExactly("inv-1:AWAITING_APPROVAL:parked", "inv-1:CANCELLED:cancelled by hand");
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
  void votesReachTheQuorumWithoutDecidingAndCountOnlyForTheArgumentsTheyApproved()
      throws Exception {
    ApprovalRequest r = parkedNeedingTwo();
    Invocation two = invocations.find("inv-2").orElseThrow().invocation();

    Ballot olivia = vote("ops-olivia", "digest-2", 1);
    Ballot twice = vote("ops-olivia", "digest-2", 2);
    Ballot stale = vote("ops-omar", "another-digest", 3);
    Ballot.Kind edited = store.edit(r.approvalId(), "digest-2", edit(two, "digest-2b", "ops-omar"));
    Ballot omar = vote("ops-omar", "digest-2b", 4);
    Ballot oliviaAgain = vote("ops-olivia", "digest-2b", 5);

    assertThat(olivia).isEqualTo(new Ballot(Ballot.Kind.RECORDED, 1));
    assertThat(twice.kind()).isEqualTo(Ballot.Kind.ALREADY_VOTED);
    assertThat(stale.kind()).isEqualTo(Ballot.Kind.STALE);
    assertThat(edited).isEqualTo(Ballot.Kind.RECORDED);
    assertThat(omar).isEqualTo(new Ballot(Ballot.Kind.RECORDED, 1));
    assertThat(oliviaAgain).isEqualTo(new Ballot(Ballot.Kind.QUORUM, 2));
    assertThat(store.find(r.approvalId()).orElseThrow().status()).isEqualTo(ApprovalStatus.PENDING);
    assertThat(store.votes(r.approvalId()))
        .extracting(v -> v.approver() + "@" + v.argumentsDigest())
        .containsExactly("ops-olivia@digest-2", "ops-omar@digest-2b", "ops-olivia@digest-2b");
    assertThat(log.records("inv-2"))
        .extracting(a -> a.entry().reasons().getFirst())
        .containsExactly(
            "parked",
            "vote ops-olivia 1",
            "edited by ops-omar",
            "vote ops-omar 1",
            "vote ops-olivia 2");

    assertThat(vote("ops-oscar", "digest-2b", 6))
        .as("a quorum awaiting its resumption takes no more votes")
        .isEqualTo(new Ballot(Ballot.Kind.AWAITS_RESUMPTION, 2));
    assertThat(store.votes(r.approvalId())).hasSize(3);
    assertThat(
            store.decide(
                r.approvalId(),
                ApprovalStatus.APPROVED,
                "ops-olivia",
                now,
                null,
                Transition.move(
                    two,
                    InvocationState.AWAITING_APPROVAL,
                    List.of(InvocationState.EXECUTING),
                    null,
                    record(two, InvocationState.EXECUTING, "approved"))))
        .isTrue();
    assertThat(vote("ops-oscar", "digest-2b", 7).kind()).isEqualTo(Ballot.Kind.NOT_PENDING);
    assertThat(store.edit(r.approvalId(), "digest-2b", edit(two, "digest-2c", "ops-oscar")))
        .isEqualTo(Ballot.Kind.NOT_PENDING);
    assertThat(log.records("inv-2")).extracting(AuditRecord::seq).hasSize(6);
  }

  @Test
  void anEditNeedsTheDigestItReplacesAndKeepsTheAgentsArguments() throws Exception {
    ApprovalRequest r = parkedNeedingTwo();
    Invocation two = invocations.find("inv-2").orElseThrow().invocation();

    Ballot.Kind stale =
        store.edit(r.approvalId(), "not-the-digest", edit(two, "digest-2b", "ops-omar"));
    StoredInvocation untouched = invocations.find("inv-2").orElseThrow();
    Ballot.Kind edited = store.edit(r.approvalId(), "digest-2", edit(two, "digest-2b", "ops-omar"));
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
    assertThat(log.records("inv-2"))
        .extracting(a -> a.entry().reasons().getFirst())
        .containsExactly("parked", "edited by ops-omar");
  }

  @Test
  void noVoteIsTakenWhileTheCallIsNotAwaitingApproval() throws Exception {
    ledger.write(end(call, InvocationState.CANCELLED, "cancelled by hand"));

    assertThat(
            store
                .vote(
                    new ApprovalVote("ap-1", "ops-olivia", "digest", now, null),
                    b -> Transition.note(record(call, InvocationState.CANCELLED, "vote")))
                .kind())
        .isEqualTo(Ballot.Kind.NOT_PENDING);
    assertThat(store.votes("ap-1")).isEmpty();
    assertThat(log.records("inv-1")).hasSize(2);
  }

  /** A second call, parked AWAITING_APPROVAL, with request ap-2 needing two approvers. */
  private ApprovalRequest parkedNeedingTwo() throws Exception {
    Invocation two =
        new Invocation(
            "inv-2",
            call.traceId(),
            null,
            null,
            call.agent(),
            null,
            null,
            call.channel(),
            call.toolName(),
            null,
            call.arguments(),
            call.policyContext(),
            call.receivedAt(),
            call.state(),
            null,
            null);
    store.park(
        ApprovalRequest.pending("ap-2", "inv-2", now, now.plus(Duration.ofHours(1)), 2),
        parking(two, "digest-2"));
    return store.find("ap-2").orElseThrow();
  }

  private Ballot vote(String approver, String digest, int second) throws Exception {
    Invocation two = invocations.find("inv-2").orElseThrow().invocation();
    return store.vote(
        new ApprovalVote("ap-2", approver, digest, now.plusSeconds(second), null),
        b ->
            Transition.note(
                record(
                    two, InvocationState.AWAITING_APPROVAL, "vote " + approver + " " + b.votes())));
  }

  private Transition edit(Invocation two, String digest, String by) {
    return Transition.edit(
        two,
        new ArgumentsEdit(
            Invocations.JSON.readTree("{\"amount\":90}"), digest, by, now.plusSeconds(30)),
        record(two, InvocationState.AWAITING_APPROVAL, "edited by " + by));
  }
}
