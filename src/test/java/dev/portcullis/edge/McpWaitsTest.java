package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.Ending;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;
import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.StoredInvocation;
import dev.portcullis.service.ApprovalSignals;
import dev.portcullis.testing.Invocations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wait of a parked MCP call, against a stand-in invocation store: it sees a decision taken
 * elsewhere by reading the store (no signal on this node), and it ends when the server closes or
 * the client goes away.
 */
class McpWaitsTest {
  private static final Invocation PARKED =
      Invocations.call("billing-assistant", "orders_refund", "{\"amount\":120}")
          .movedTo(InvocationState.CHECKED)
          .movedTo(InvocationState.AWAITING_APPROVAL);

  /**
   * Longer than any test waits for an answer: a wait that ends did so for the reason under test.
   */
  private static final Duration HOUR = Duration.ofHours(1);

  private final Store store = new Store();
  private final McpWaits waits = new McpWaits(store, new ApprovalSignals());
  private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void close() {
    background.close();
  }

  @Test
  void decisionTakenOnAnotherNodeIsSeenByReadingTheStore() throws Exception {
    CompletableFuture<Optional<StoredInvocation>> wait =
        CompletableFuture.supplyAsync(
            () -> waits.await(PARKED.invocationId(), HOUR, null), background);
    store.awaitReads(1);

    store.set(
        stored(
            PARKED.movedTo(InvocationState.EXECUTING).movedTo(InvocationState.COMPLETED),
            new Ending(
                null, null, List.of(), Invocations.JSON.readTree("{\"refundId\":\"R-1\"}"))));

    assertThat(wait.get(30, TimeUnit.SECONDS))
        .hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(InvocationState.COMPLETED));
  }

  @Test
  void closingEndsEveryWaitWithTheCurrentState() throws Exception {
    CompletableFuture<Optional<StoredInvocation>> wait =
        CompletableFuture.supplyAsync(
            () -> waits.await(PARKED.invocationId(), HOUR, null), background);
    store.awaitReads(1);

    waits.close();

    assertThat(wait.get(30, TimeUnit.SECONDS))
        .hasValueSatisfying(
            s -> assertThat(s.state()).isEqualTo(InvocationState.AWAITING_APPROVAL));
    assertThat(waits.await(PARKED.invocationId(), HOUR, null)).isPresent();
  }

  @Test
  void clientThatCannotTakeProgressEndsTheWait() {
    AtomicInteger notices = new AtomicInteger();

    Optional<StoredInvocation> s =
        waits.await(
            PARKED.invocationId(),
            HOUR,
            n -> {
              notices.incrementAndGet();
              return false;
            });

    assertThat(notices).hasValue(1);
    assertThat(s)
        .hasValueSatisfying(
            x -> assertThat(x.state()).isEqualTo(InvocationState.AWAITING_APPROVAL));
  }

  @Test
  void unreadableStoreEndsTheWaitWithTheLastStateSeen() {
    store.fail = true;

    assertThat(waits.await(PARKED.invocationId(), HOUR, null)).isEmpty();
  }

  private static StoredInvocation stored(Invocation inv, Ending ending) {
    return new StoredInvocation(
        inv,
        "sha256:00",
        false,
        ending,
        List.of(
            new StoredInvocation.StateChange(inv.state(), Instant.parse("2026-11-23T10:00:01Z"))));
  }

  /** Holds one call; counts reads so a test knows the wait has begun. */
  private static final class Store implements InvocationStore {
    private final AtomicReference<StoredInvocation> held =
        new AtomicReference<>(stored(PARKED, null));
    private final AtomicInteger reads = new AtomicInteger();
    private volatile boolean fail;

    void set(StoredInvocation s) {
      held.set(s);
    }

    void awaitReads(int n) throws InterruptedException {
      Instant deadline = Instant.now().plusSeconds(30);
      while (reads.get() < n) {
        assertThat(Instant.now()).as("the wait read the store in time").isBefore(deadline);
        Thread.sleep(10);
      }
    }

    @Override
    public Optional<StoredInvocation> find(String invocationId) throws StoreException {
      reads.incrementAndGet();
      if (fail) {
        throw new StoreException("the disk is gone");
      }
      StoredInvocation s = held.get();
      return s.invocationId().equals(invocationId) ? Optional.of(s) : Optional.empty();
    }

    @Override
    public Optional<StoredInvocation> keyHolder(
        String tenant, String agentId, String idempotencyKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<StoredInvocation> inState(InvocationState state) {
      throw new UnsupportedOperationException();
    }
  }
}
