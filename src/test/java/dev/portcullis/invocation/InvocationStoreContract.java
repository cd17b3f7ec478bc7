package dev.portcullis.invocation;

import static dev.portcullis.invocation.InvocationState.CHECKED;
import static dev.portcullis.invocation.InvocationState.COMPLETED;
import static dev.portcullis.invocation.InvocationState.EXECUTING;
import static dev.portcullis.invocation.InvocationState.FAILED;
import static dev.portcullis.invocation.InvocationState.NEEDS_RECONCILIATION;
import static dev.portcullis.invocation.InvocationState.RECEIVED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.invocation.InvocationStore.Begun;
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
 * The contract every {@link InvocationStore} keeps: transitions and their history, refusals of the
 * transitions the state machine does not have, compare-and-set under a race, idempotency keys per
 * tenant and agent, and a faithful round trip of every field. Each adapter runs it through a thin
 * subclass that supplies a fresh, empty store.
 */
public abstract class InvocationStoreContract {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00.123456789Z");
  private static final Instant T1 = Instant.parse("2026-11-23T10:00:01.5Z");
  private static final Instant T2 = Instant.parse("2026-11-23T10:00:02Z");
  private static final AgentRef AGENT = new AgentRef("support-assistant", "acme", "2.1.0");
  private static final ToolRef TOOL = new ToolRef("refund_create", "3", "sha256:beef", "write", "payments");
  private static final Decision ALLOW = new Decision(Effect.ALLOW, List.of("refunds-small"), "allowed by refunds-small",
      List.of("rule x: no such field"), List.of(new ShadowDecision("refunds-shadow", Effect.DENY, true)),
      "sha256:policy-7");

  protected abstract InvocationStore emptyStore() throws Exception;

  private static Invocation call(String id, AgentRef agent, String key, String args) {
    return Invocation.received(id, "0af7651916cd43dd8448eb211c80319c", "req-" + id, key, agent,
        new UserRef("user-7", "acme", Set.of("support"), Set.of("emea"), true), "sess-1", "rest", "refund_create",
        JSON.readTree(args), Map.of("region", "eu"), T0);
  }

  private static Invocation call(String id, String key) {
    return call(id, AGENT, key, "{\"order\":\"A-1\",\"amount\":12.5}");
  }

  private static Invocation checked(Invocation inv) {
    return inv.withTool(TOOL).withDecision(ALLOW).movedTo(CHECKED);
  }

  @Test
  void roundTripsEveryFieldThroughEachTransition() throws Exception {
    InvocationStore store = emptyStore();
    Invocation received = call("inv-1", "key-1");
    store.begin(received, "sha256:args");
    Invocation executing = checked(received).movedTo(EXECUTING);
    store.move(checked(received), RECEIVED, List.of(CHECKED, EXECUTING), null, T1);
    Invocation done = executing.withCredential(new CredentialUse("vault:payments-key", 4, true));
    StoredInvocation stored = store.move(done, EXECUTING, List.of(COMPLETED),
        new Ending(null, null, List.of(), JSON.readTree("{\"refund\":\"R-9\",\"nothing\":null}")), T2);

    Invocation expected = new Invocation("inv-1", received.traceId(), "req-inv-1", "key-1", AGENT, received.user(),
        "sess-1", "rest", "refund_create", TOOL, received.arguments(), Map.of("region", "eu"), T0, COMPLETED, ALLOW,
        done.credential());
    assertThat(store.find("inv-1")).contains(stored);
    assertThat(stored.invocation()).isEqualTo(expected);
    assertThat(stored.argumentsDigest()).isEqualTo("sha256:args");
    assertThat(stored.holdsKey()).isTrue();
    assertThat(stored.ending().result()).isEqualTo(JSON.readTree("{\"refund\":\"R-9\",\"nothing\":null}"));
    assertThat(stored.history()).containsExactly(new StateChange(RECEIVED, T0), new StateChange(CHECKED, T1),
        new StateChange(EXECUTING, T1), new StateChange(COMPLETED, T2));
    assertThat(stored.updatedAt()).isEqualTo(T2);
    assertThat(stored.outcome()).isEqualTo(new Outcome.Completed(expected, stored.ending().result()));
  }

  @Test
  void keepsTheEndingOfFailedAndDeniedCallsAsTheirOutcome() throws Exception {
    InvocationStore store = emptyStore();
    Invocation a = call("inv-a", null);
    Invocation b = call("inv-b", null);
    store.begin(a, "d");
    store.begin(b, "d");
    store.move(checked(a), RECEIVED, List.of(CHECKED, EXECUTING), null, T1);
    Outcome.Failed failed = new Outcome.Failed(checked(a).movedTo(EXECUTING), FailureKind.UPSTREAM_TIMEOUT, "slow");
    Outcome.Denied denied = new Outcome.Denied(b, DenialKind.POLICY, "no rule permits it", List.of("default-deny"));

    StoredInvocation sa = store.move(failed.invocation(), EXECUTING, List.of(FAILED), Ending.of(failed), T2);
    StoredInvocation sb = store.move(b, RECEIVED, List.of(InvocationState.DENIED), Ending.of(denied), T2);

    assertThat(sa.outcome()).isEqualTo(new Outcome.Failed(sa.invocation(), FailureKind.UPSTREAM_TIMEOUT, "slow"));
    assertThat(sb.outcome())
        .isEqualTo(new Outcome.Denied(sb.invocation(), DenialKind.POLICY, "no rule permits it", List.of("default-deny")));
    assertThat(sb.ending().kind()).isEqualTo("policy");
  }

  @Test
  void refusesATransitionTheStateMachineDoesNotHaveAndChangesNothing() throws Exception {
    InvocationStore store = emptyStore();
    Invocation inv = call("inv-1", null);
    store.begin(inv, "d");

    assertThatThrownBy(() -> store.move(inv, RECEIVED, List.of(COMPLETED), null, T1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("invocation inv-1 cannot move from RECEIVED to COMPLETED");
    assertThatThrownBy(() -> store.move(inv, RECEIVED, List.of(CHECKED, EXECUTING, CHECKED), null, T1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("invocation inv-1 cannot move from EXECUTING to CHECKED");
    assertThat(store.find("inv-1").orElseThrow().state()).isEqualTo(RECEIVED);
    assertThat(store.find("inv-1").orElseThrow().history()).hasSize(1);
  }

  @Test
  void refusesToMoveACallThatIsNotInTheExpectedState() throws Exception {
    InvocationStore store = emptyStore();
    Invocation inv = call("inv-1", null);
    store.begin(inv, "d");

    assertThatThrownBy(() -> store.move(inv, CHECKED, List.of(EXECUTING), null, T1))
        .isInstanceOf(StateConflictException.class)
        .hasMessage("invocation inv-1 is RECEIVED, not CHECKED; another writer moved it");
    assertThatThrownBy(() -> store.move(call("nope", null), RECEIVED, List.of(CHECKED), null, T1))
        .isInstanceOf(StateConflictException.class)
        .hasMessage("no invocation nope is recorded");
  }

  @Test
  void exactlyOneOfManyRacingTransitionsWins() throws Exception {
    InvocationStore store = emptyStore();
    Invocation inv = call("inv-1", null);
    store.begin(inv, "d");
    Invocation executing = checked(inv).movedTo(EXECUTING);
    store.move(checked(inv), RECEIVED, List.of(CHECKED, EXECUTING), null, T1);
    int racers = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
      for (int i = 0; i < racers; i++) {
        InvocationState to = i % 2 == 0 ? COMPLETED : FAILED;
        Ending ending = to == COMPLETED
            ? new Ending(null, null, List.of(), JSON.readTree("{\"racer\":" + i + "}"))
            : new Ending("upstream_error", "racer " + i, List.of(), null);
        results.add(pool.submit(() -> {
          go.await();
          try {
            store.move(executing, EXECUTING, List.of(to), ending, T2);
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
      assertThat(outcomes).filteredOn("lost"::equals).hasSize(racers - 1);
    }
    StoredInvocation after = store.find("inv-1").orElseThrow();
    assertThat(after.state()).isIn(COMPLETED, FAILED);
    assertThat(after.history()).extracting(StateChange::state).containsExactly(RECEIVED, CHECKED, EXECUTING, after.state());
  }

  @Test
  void anIdempotencyKeyIsHeldByOneCallPerTenantAndAgent() throws Exception {
    InvocationStore store = emptyStore();
    StoredInvocation first = ((Begun.Started) store.begin(call("inv-1", "key-1"), "d1")).invocation();

    Begun again = store.begin(call("inv-2", "key-1"), "d2");
    Begun otherAgent = store.begin(call("inv-3", new AgentRef("billing", "acme", null), "key-1", "{}"), "d1");
    Begun otherTenant = store.begin(call("inv-4", new AgentRef("support-assistant", "globex", null), "key-1", "{}"), "d1");
    Begun otherKey = store.begin(call("inv-5", "key-2"), "d1");

    assertThat(again).isEqualTo(new Begun.KeyHeld(first));
    assertThat(store.find("inv-2")).isEmpty();
    assertThat(otherAgent).isInstanceOf(Begun.Started.class);
    assertThat(otherTenant).isInstanceOf(Begun.Started.class);
    assertThat(otherKey).isInstanceOf(Begun.Started.class);
  }

  @Test
  void ofManyCallsRacingWithOneKeyExactlyOneTakesIt() throws Exception {
    InvocationStore store = emptyStore();
    int racers = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Begun>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
      for (int i = 0; i < racers; i++) {
        Invocation inv = call("inv-" + i, "key-1");
        results.add(pool.submit(() -> {
          go.await();
          return store.begin(inv, "d");
        }));
      }
      go.countDown();
      List<Begun> begun = new ArrayList<>();
      for (Future<Begun> f : results) {
        begun.add(f.get());
      }
      List<String> started = begun.stream().filter(Begun.Started.class::isInstance)
          .map(b -> ((Begun.Started) b).invocation().invocationId()).toList();
      assertThat(started).hasSize(1);
      assertThat(begun).filteredOn(Begun.KeyHeld.class::isInstance).hasSize(racers - 1)
          .allSatisfy(b -> assertThat(((Begun.KeyHeld) b).holder().invocationId()).isEqualTo(started.getFirst()));
    }
  }

  @Test
  void aRecordedDuplicateDoesNotTakeTheKey() throws Exception {
    InvocationStore store = emptyStore();
    store.begin(call("inv-1", "key-1"), "d1");

    StoredInvocation dup = store.record(call("inv-2", "key-1"), "d2");

    assertThat(dup.holdsKey()).isFalse();
    assertThat(store.find("inv-2")).hasValueSatisfying(s -> {
      assertThat(s.holdsKey()).isFalse();
      assertThat(s.invocation().idempotencyKey()).isEqualTo("key-1");
    });
    assertThat(store.begin(call("inv-3", "key-1"), "d1"))
        .isInstanceOfSatisfying(Begun.KeyHeld.class, k -> assertThat(k.holder().invocationId()).isEqualTo("inv-1"));
  }

  @Test
  void anInterruptedCallWaitsForReconciliationAndIsNeverExecutedAgain() throws Exception {
    InvocationStore store = emptyStore();
    Invocation inv = call("inv-1", null);
    store.begin(inv, "d");
    store.move(checked(inv), RECEIVED, List.of(CHECKED, EXECUTING), null, T1);
    Invocation executing = checked(inv).movedTo(EXECUTING);

    StoredInvocation r = store.move(executing, EXECUTING, List.of(NEEDS_RECONCILIATION),
        new Ending(Ending.INTERRUPTED, "stopped", List.of(), null), T2);

    assertThat(r.state()).isEqualTo(NEEDS_RECONCILIATION);
    assertThat(r.outcome()).isNull();
    assertThat(store.inState(NEEDS_RECONCILIATION)).extracting(StoredInvocation::invocationId).containsExactly("inv-1");
    assertThatThrownBy(() -> store.move(r.invocation(), NEEDS_RECONCILIATION, List.of(EXECUTING), null, T2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("invocation inv-1 cannot move from NEEDS_RECONCILIATION to EXECUTING");
  }

  @Test
  void listsTheCallsInAStateOldestFirst() throws Exception {
    InvocationStore store = emptyStore();
    Invocation late = call("inv-late", null);
    Invocation early = new Invocation("inv-early", late.traceId(), null, null, AGENT, null, null, "mcp", "refund_create",
        null, late.arguments(), Map.of(), T0.minusSeconds(60), RECEIVED, null, null);
    store.begin(late, "d");
    store.begin(early, "d");

    assertThat(store.inState(RECEIVED)).extracting(StoredInvocation::invocationId).containsExactly("inv-early", "inv-late");
    assertThat(store.inState(EXECUTING)).isEmpty();
    assertThat(store.find("inv-early").orElseThrow().invocation()).isEqualTo(early);
  }
}
