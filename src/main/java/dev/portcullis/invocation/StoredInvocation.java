package dev.portcullis.invocation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One invocation as the invocation store holds it: the envelope as last recorded (its {@code
 * state} is the stored state), the digest of its arguments, whether it holds its idempotency key,
 * how it ended (null until it has), and when it entered each state.
 */
public record StoredInvocation(
    Invocation invocation, String argumentsDigest, boolean holdsKey, Ending ending, List<StateChange> history) {

  public StoredInvocation {
    Objects.requireNonNull(invocation, "invocation");
    Objects.requireNonNull(argumentsDigest, "argumentsDigest");
    history = List.copyOf(history);
  }

  public String invocationId() {
    return invocation.invocationId();
  }

  public InvocationState state() {
    return invocation.state();
  }

  /** When the call last changed state. */
  public Instant updatedAt() {
    return history.isEmpty() ? invocation.receivedAt() : history.getLast().at();
  }

  /** The outcome to give again for this call, or null while it has none to give. */
  public Outcome outcome() {
    return ending == null ? null : ending.outcome(invocation, invocation.state());
  }

  /** The call entered {@code state} at {@code at}. */
  public record StateChange(InvocationState state, Instant at) {
    public StateChange {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(at, "at");
    }
  }
}
