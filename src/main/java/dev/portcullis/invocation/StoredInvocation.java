package dev.portcullis.invocation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One invocation as the invocation store holds it: the envelope as last recorded (its {@code state}
 * is the stored state), the digest of its arguments, whether it holds its idempotency key, how it
 * ended (null until it has), and when it entered each state. {@code invocation} and {@code
 * argumentsDigest} are the call as the agent made it; {@code edit} is an approver's edit of its
 * arguments while it awaited approval (null when there was none), and {@link #current()} the call
 * with the arguments that run.
 */
public record StoredInvocation(
    Invocation invocation,
    String argumentsDigest,
    boolean holdsKey,
    Ending ending,
    List<StateChange> history,
    ArgumentsEdit edit) {

  public StoredInvocation {
    Objects.requireNonNull(invocation, "invocation");
    Objects.requireNonNull(argumentsDigest, "argumentsDigest");
    history = List.copyOf(history);
  }

  /** A call whose arguments nobody edited. */
  public StoredInvocation(
      Invocation invocation,
      String argumentsDigest,
      boolean holdsKey,
      Ending ending,
      List<StateChange> history) {
    this(invocation, argumentsDigest, holdsKey, ending, history, null);
  }

  /** The call with the arguments that run: the edited ones when an approver edited them. */
  public Invocation current() {
    return edit == null ? invocation : invocation.withArguments(edit.arguments());
  }

  /** The digest of {@link #current()}'s arguments. */
  public String currentDigest() {
    return edit == null ? argumentsDigest : edit.digest();
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
