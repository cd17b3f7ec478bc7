package dev.portcullis.invocation;

import static dev.portcullis.invocation.InvocationState.AWAITING_APPROVAL;
import static dev.portcullis.invocation.InvocationState.CHECKED;
import static dev.portcullis.invocation.InvocationState.COMPLETED;
import static dev.portcullis.invocation.InvocationState.DENIED;
import static dev.portcullis.invocation.InvocationState.EXECUTING;
import static dev.portcullis.invocation.InvocationState.FAILED;
import static dev.portcullis.invocation.InvocationState.NEEDS_RECONCILIATION;
import static dev.portcullis.invocation.InvocationState.RECEIVED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.audit.AuditLog;
import dev.portcullis.audit.AuditRecord;
import dev.portcullis.audit.AuditVerifier;
import dev.portcullis.invocation.InvocationStore.StateConflictException;
import dev.portcullis.invocation.StoredInvocation.StateChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The contract every {@link Ledger} keeps with the {@link InvocationStore} and audit log that read
 * what it wrote: each transition is the call's row and its record together or neither; transitions
 * the state machine does not have are refused before anything is written; of racing moves exactly
 * one wins and only the winner's record is written; an idempotency key is claimed by one call per
 * tenant and agent; every field round-trips; history is read from the records. Each adapter runs it
 * through a thin subclass that supplies fresh, empty books.
 */
public abstract class LedgerContract {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123456789Z");
  private static final Instant T1 = Instant.parse("2026-11-23T10:00:01.5Z");
  private static final Instant T2 = Instant.parse("2026-11-23T10:00:02Z");
  private static final AgentRef AGENT = new AgentRef("support-assistant", "acme", "2.1.0");
  private static final ToolRef TOOL =
      new ToolRef("refund_create", "3", "sha256:beef", "write", "payments");
  private static final Decision ALLOW =
      new Decision(
          Effect.ALLOW,
          List.of("refunds-small"),
          "allowed by refunds-small",
          List.of("rule x: no such field"),
          List.of(new ShadowDecision("refunds-shadow", Effect.DENY, true)),
          "sha256:policy-7");

  /** A ledger and the two readers of what it writes, all on one fresh, empty store. */
  public record Books(Ledger ledger, InvocationStore store, AuditLog log) {}

  protected abstract Books emptyBooks() throws Exception;

  private static Invocation call(String id, AgentRef agent, String key, String args) {
    return Invocation.received(
        id,
        "0af7651916cd43dd8448eb211c80319c",
        "req-" + id,
        key,
        agent,
        new UserRef("user-7", "acme", Set.of("support"), Set.of("emea"), true),
        "sess-1",
        "rest",
        "refund_create",
        JSON.readTree(args),
        Map.of("region", "eu"),
        T0);
  }

  private static Invocation call(String id, String key) {
    return call(id, AGENT, key, "{\"order\":\"A-1\",\"amount\":12.5}");
  }

  private static Invocation checked(Invocation inv) {
    return inv.withTool(TOOL).withDecision(ALLOW).movedTo(CHECKED);
  }

  /** The record of {@code inv} entering {@code state} at {@code at}. */
  static AuditEntry record(Invocation inv, InvocationState state, Instant at) {
    return AuditEntry.builder(at, inv.invocationId(), inv.traceId(), state.name(), "sha256:config")
        .requestId(inv.requestId())
        .tenant(inv.tenant())
        .agentId(inv.agent().id())
        .userId(inv.user() == null ? null : inv.user().id())
        .sessionId(inv.sessionId())
        .channel(inv.channel())
        .toolName(inv.toolName())
        .arguments(inv.arguments().toString())
        .argumentsDigest("digest")
        .decision(inv.decision() == null ? null : inv.decision().effect().wireName())
        .build();
  }

  /**
   * Opens {@code inv} as an allowed call: one transition to EXECUTING at T1, claiming its key if it
   * has one.
   */
  private static Ledger.Written execute(Ledger ledger, Invocation inv) throws Exception {
    return ledger.write(
        Transition.open(
            checked(inv),
            "sha256:args",
            inv.idempotencyKey() != null,
            List.of(CHECKED, EXECUTING),
            null,
            record(checked(inv).movedTo(EXECUTING), EXECUTING, T1)));
  }

  private static List<AuditRecord> all(AuditLog log) throws Exception {
    List<AuditRecord> out = new ArrayList<>();
    log.scan(out::add);
    return out;
  }

  @Test
  void roundTripsEveryFieldThroughAnAllowedCallsTwoTransitions() throws Exception {
    Books b = emptyBooks();
    Invocation received = call("inv-1", "key-1");
    assertThat(execute(b.ledger(), received)).isEqualTo(new Ledger.Written.Done());
    Invocation done =
        checked(received)
            .movedTo(EXECUTING)
            .withCredential(new CredentialUse("vault:payments-key", 4, true));
    b.ledger()
        .write(
            Transition.move(
                done,
                EXECUTING,
                List.of(COMPLETED),
                new Ending(
                    null, null, List.of(), JSON.readTree("{\"refund\":\"R-9\",\"nothing\":null}")),
                record(done, COMPLETED, T2)));

    StoredInvocation stored = b.store().find("inv-1").orElseThrow();
    Invocation expected =
        new Invocation(
            "inv-1",
            received.traceId(),
            "req-inv-1",
            "key-1",
            AGENT,
            received.user(),
            "sess-1",
            "rest",
            "refund_create",
            TOOL,
            received.arguments(),
            Map.of("region", "eu"),
            T0,
            COMPLETED,
            ALLOW,
            done.credential());
    assertThat(stored.invocation()).isEqualTo(expected);
    assertThat(stored.argumentsDigest()).isEqualTo("sha256:args");
    assertThat(stored.holdsKey()).isTrue();
    assertThat(stored.ending().result())
        .isEqualTo(JSON.readTree("{\"refund\":\"R-9\",\"nothing\":null}"));
    assertThat(stored.history())
        .containsExactly(
            new StateChange(RECEIVED, T0),
            new StateChange(CHECKED, T1),
            new StateChange(EXECUTING, T1),
            new StateChange(COMPLETED, T2));
    assertThat(stored.updatedAt()).isEqualTo(T2);
    assertThat(stored.outcome())
        .isEqualTo(new Outcome.Completed(expected, stored.ending().result()));
    assertThat(all(b.log()))
        .extracting(r -> r.entry().state())
        .containsExactly("EXECUTING", "COMPLETED");
    assertThat(AuditVerifier.verify(b.log()).intact()).isTrue();
  }

  @Test
  void aRefusedCallIsOneTransitionAndKeepsItsEndingAsItsOutcome() throws Exception {
    Books b = emptyBooks();
    Invocation denied = call("inv-b", null);
    Outcome.Denied refusal =
        new Outcome.Denied(
            denied, DenialKind.POLICY, "no rule permits it", List.of("default-deny"));
    b.ledger()
        .write(
            Transition.open(
                denied,
                "d",
                false,
                List.of(DENIED),
                Ending.of(refusal),
                record(denied, DENIED, T1)));
    Invocation a = call("inv-a", null);
    execute(b.ledger(), a);
    Outcome.Failed failed =
        new Outcome.Failed(checked(a).movedTo(EXECUTING), FailureKind.UPSTREAM_TIMEOUT, "slow");
    b.ledger()
        .write(
            Transition.move(
                failed.invocation(),
                EXECUTING,
                List.of(FAILED),
                Ending.of(failed),
                record(failed.invocation(), FAILED, T2)));

    StoredInvocation sa = b.store().find("inv-a").orElseThrow();
    StoredInvocation sb = b.store().find("inv-b").orElseThrow();
    assertThat(sa.outcome())
        .isEqualTo(new Outcome.Failed(sa.invocation(), FailureKind.UPSTREAM_TIMEOUT, "slow"));
    assertThat(sb.outcome())
        .isEqualTo(
            new Outcome.Denied(
                sb.invocation(), DenialKind.POLICY, "no rule permits it", List.of("default-deny")));
    assertThat(sb.history())
        .containsExactly(new StateChange(RECEIVED, T0), new StateChange(DENIED, T1));
    assertThat(b.log().records("inv-b")).hasSize(1);
  }

  @Test
  void refusesATransitionTheStateMachineDoesNotHaveBeforeWritingAnything() throws Exception {
    Books b = emptyBooks();
    Invocation inv = call("inv-1", null);

    assertThatThrownBy(
            () ->
                Transition.open(
                    inv, "d", false, List.of(COMPLETED), null, record(inv, COMPLETED, T1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("invocation inv-1 cannot move from RECEIVED to COMPLETED");
    assertThatThrownBy(
            () -> Transition.move(inv, EXECUTING, List.of(CHECKED), null, record(inv, CHECKED, T1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("invocation inv-1 cannot move from EXECUTING to CHECKED");
    assertThatThrownBy(
            () -> Transition.open(inv, "d", false, List.of(DENIED), null, record(inv, FAILED, T1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the record of invocation inv-1 says FAILED but the transition leaves it DENIED");
    assertThatThrownBy(
            () ->
                Transition.open(
                    inv,
                    "d",
                    false,
                    List.of(DENIED),
                    null,
                    record(call("inv-2", null), DENIED, T1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the record of invocation inv-2 cannot go with a transition of invocation inv-1");
    assertThat(b.store().find("inv-1")).isEmpty();
    assertThat(all(b.log())).isEmpty();
  }

  @Test
  void refusesToMoveACallThatIsNotInTheExpectedStateAndWritesNoRecord() throws Exception {
    Books b = emptyBooks();
    Invocation inv = call("inv-1", null);
    execute(b.ledger(), inv);
    Invocation executing = checked(inv).movedTo(EXECUTING);

    assertThatThrownBy(
            () ->
                b.ledger()
                    .write(
                        Transition.move(
                            executing,
                            AWAITING_APPROVAL,
                            List.of(DENIED),
                            new Ending("approval_denied", "no", List.of(), null),
                            record(executing, DENIED, T2))))
        .isInstanceOf(StateConflictException.class)
        .hasMessage(
            "invocation inv-1 is EXECUTING, not AWAITING_APPROVAL; another writer moved it");
    Invocation ghost = call("nope", null);
    assertThatThrownBy(
            () ->
                b.ledger()
                    .write(
                        Transition.move(
                            ghost,
                            CHECKED,
                            List.of(EXECUTING),
                            null,
                            record(ghost, EXECUTING, T1))))
        .isInstanceOf(StateConflictException.class)
        .hasMessage("no invocation nope is recorded");
    assertThat(all(b.log())).hasSize(1);
  }

  @Test
  void exactlyOneOfManyRacingMovesWinsAndOnlyItsRecordIsWritten() throws Exception {
    Books b = emptyBooks();
    Invocation inv = call("inv-1", null);
    execute(b.ledger(), inv);
    Invocation executing = checked(inv).movedTo(EXECUTING);
    int racers = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
      for (int i = 0; i < racers; i++) {
        InvocationState to = i % 2 == 0 ? COMPLETED : FAILED;
        Ending ending =
            to == COMPLETED
                ? new Ending(null, null, List.of(), JSON.readTree("{\"racer\":" + i + "}"))
                : new Ending("upstream_error", "racer " + i, List.of(), null);
        Transition t =
            Transition.move(executing, EXECUTING, List.of(to), ending, record(executing, to, T2));
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    b.ledger().write(t);
                    return "won";
                  } catch (StateConflictException e) {
                    return "lost";
                  }
                }));
      }
      go.countDown();
      List<String> outcomes = new ArrayList<>();
      for (Future<String> f : results) {
        outcomes.add(f.get());
      }
      assertThat(outcomes).containsOnlyOnce("won");
    }
    StoredInvocation after = b.store().find("inv-1").orElseThrow();
    assertThat(after.state()).isIn(COMPLETED, FAILED);
    assertThat(after.history())
        .extracting(StateChange::state)
        .containsExactly(RECEIVED, CHECKED, EXECUTING, after.state());
    assertThat(b.log().records("inv-1"))
        .extracting(r -> r.entry().state())
        .containsExactly("EXECUTING", after.state().name());
  }

  @Test
  void anIdempotencyKeyIsHeldByOneCallPerTenantAndAgent() throws Exception {
    Books b = emptyBooks();
    execute(b.ledger(), call("inv-1", "key-1"));
    StoredInvocation first = b.store().find("inv-1").orElseThrow();

    Ledger.Written again = execute(b.ledger(), call("inv-2", "key-1"));
    Ledger.Written otherAgent =
        execute(b.ledger(), call("inv-3", new AgentRef("billing", "acme", null), "key-1", "{}"));
    Ledger.Written otherTenant =
        execute(
            b.ledger(),
            call("inv-4", new AgentRef("support-assistant", "globex", null), "key-1", "{}"));
    Ledger.Written otherKey = execute(b.ledger(), call("inv-5", "key-2"));

    assertThat(again).isEqualTo(new Ledger.Written.KeyHeld(first));
    assertThat(b.store().find("inv-2")).isEmpty();
    assertThat(b.log().records("inv-2")).isEmpty();
    assertThat(List.of(otherAgent, otherTenant, otherKey))
        .allMatch(Ledger.Written.Done.class::isInstance);
    assertThat(b.store().keyHolder("acme", AGENT.id(), "key-1")).contains(first);
    assertThat(b.store().keyHolder("acme", AGENT.id(), "key-9")).isEmpty();
  }

  @Test
  void ofManyCallsRacingWithOneKeyExactlyOneTakesIt() throws Exception {
    Books b = emptyBooks();
    int racers = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Ledger.Written>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
      for (int i = 0; i < racers; i++) {
        Invocation inv = call("inv-" + i, "key-1");
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return execute(b.ledger(), inv);
                }));
      }
      go.countDown();
      List<Ledger.Written> written = new ArrayList<>();
      for (Future<Ledger.Written> f : results) {
        written.add(f.get());
      }
      assertThat(written).filteredOn(Ledger.Written.Done.class::isInstance).hasSize(1);
      String holder = b.store().keyHolder("acme", AGENT.id(), "key-1").orElseThrow().invocationId();
      assertThat(written)
          .filteredOn(Ledger.Written.KeyHeld.class::isInstance)
          .hasSize(racers - 1)
          .allSatisfy(
              w ->
                  assertThat(((Ledger.Written.KeyHeld) w).holder().invocationId())
                      .isEqualTo(holder));
    }
    assertThat(all(b.log())).hasSize(1);
  }

  @Test
  void aCallThatDoesNotClaimItsKeyLeavesItFree() throws Exception {
    Books b = emptyBooks();
    Invocation dup = call("inv-2", "key-1");
    b.ledger()
        .write(
            Transition.open(
                dup,
                "d2",
                false,
                List.of(DENIED),
                new Ending("idempotency_key_reused", "used", List.of(), null),
                record(dup, DENIED, T1)));

    assertThat(b.store().find("inv-2"))
        .hasValueSatisfying(
            s -> {
              assertThat(s.holdsKey()).isFalse();
              assertThat(s.invocation().idempotencyKey()).isEqualTo("key-1");
            });
    assertThat(b.store().keyHolder("acme", AGENT.id(), "key-1")).isEmpty();
    assertThat(execute(b.ledger(), call("inv-3", "key-1"))).isEqualTo(new Ledger.Written.Done());
  }

  @Test
  void anInterruptedCallWaitsForReconciliationAndIsNeverExecutedAgain() throws Exception {
    Books b = emptyBooks();
    Invocation inv = call("inv-1", null);
    execute(b.ledger(), inv);
    Invocation executing = checked(inv).movedTo(EXECUTING);

    b.ledger()
        .write(
            Transition.move(
                executing,
                EXECUTING,
                List.of(NEEDS_RECONCILIATION),
                new Ending(Ending.INTERRUPTED, "stopped", List.of(), null),
                record(executing, NEEDS_RECONCILIATION, T2)));

    StoredInvocation r = b.store().find("inv-1").orElseThrow();
    assertThat(r.state()).isEqualTo(NEEDS_RECONCILIATION);
    assertThat(r.outcome()).isNull();
    assertThat(b.store().inState(NEEDS_RECONCILIATION))
        .extracting(StoredInvocation::invocationId)
        .containsExactly("inv-1");
    assertThatThrownBy(
            () ->
                Transition.move(
                    r.invocation(),
                    NEEDS_RECONCILIATION,
                    List.of(EXECUTING),
                    null,
                    record(r.invocation(), EXECUTING, T2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("invocation inv-1 cannot move from NEEDS_RECONCILIATION to EXECUTING");
  }

  @Test
  void listsTheCallsInAStateOldestFirst() throws Exception {
    Books b = emptyBooks();
    Invocation late = call("inv-late", null);
    Invocation early =
        new Invocation(
            "inv-early",
            late.traceId(),
            null,
            null,
            AGENT,
            null,
            null,
            "mcp",
            "refund_create",
            null,
            late.arguments(),
            Map.of(),
            T0.minusSeconds(60),
            RECEIVED,
            null,
            null);
    for (Invocation inv : List.of(late, early)) {
      b.ledger()
          .write(
              Transition.open(
                  inv,
                  "d",
                  false,
                  List.of(FAILED),
                  new Ending("internal", "x", List.of(), null),
                  record(inv, FAILED, T1)));
    }

    assertThat(b.store().inState(FAILED))
        .extracting(StoredInvocation::invocationId)
        .containsExactly("inv-early", "inv-late");
    assertThat(b.store().inState(EXECUTING)).isEmpty();
    assertThat(b.store().find("inv-early").orElseThrow().invocation())
        .isEqualTo(early.movedTo(FAILED));
  }

  @Test
  void aNoteIsARecordThatMovesNoCall() throws Exception {
    Books b = emptyBooks();
    Invocation inv = call("inv-1", null);
    execute(b.ledger(), inv);
    Invocation executing = checked(inv).movedTo(EXECUTING);

    b.ledger().write(Transition.note(record(executing, EXECUTING, T2)));
    b.ledger().write(Transition.note(record(call("inv-unrecorded", null), DENIED, T2)));

    assertThat(b.store().find("inv-1").orElseThrow().state()).isEqualTo(EXECUTING);
    assertThat(b.store().find("inv-unrecorded")).isEmpty();
    assertThat(all(b.log())).hasSize(3);
    assertThat(AuditVerifier.verify(b.log()).intact()).isTrue();
  }
}
