package dev.portcullis.invocation;

import java.util.List;
import java.util.Objects;

/**
 * One change the {@link Ledger} writes in one transaction: a call's row and the audit record that
 * says what happened. Four kinds, each made by its factory:
 *
 * <ul>
 *   <li>{@link #open}: a call's first write, the row inserted already in the state its path ends in
 *       (a call is never written as merely RECEIVED or CHECKED: until its first transition nothing
 *       about it is durable, and nothing has happened that needs to be), claiming its idempotency
 *       key when asked;
 *   <li>{@link #move}: a recorded call moved on from the state it is expected in (compare-and-set);
 *   <li>{@link #edit}: an approver's edit of a parked call's arguments; the call stays parked;
 *   <li>{@link #note}: a record about a call that moves no row (a vote, a notice, a replay),
 *       recorded in the state the call's row is in when it is written (so a call's last record
 *       always names its stored state).
 * </ul>
 *
 * <p>A path that is not a walk of the state machine ({@link InvocationState#canMoveTo}) is a bug in
 * the caller, refused here with an {@link IllegalStateException} before anything is written. The
 * record must be of the call the transition moves, in the state the path ends in.
 */
public record Transition(
    Kind kind,
    Invocation facts,
    InvocationState from,
    List<InvocationState> path,
    Ending ending,
    String argumentsDigest,
    boolean claimsKey,
    ArgumentsEdit edit,
    AuditEntry record,
    boolean releasesKey) {

  /** What the ledger does with the row. */
  public enum Kind {
    OPEN,
    MOVE,
    EDIT,
    NOTE
  }

  public Transition {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(record, "record");
    path = List.copyOf(path);
    if (releasesKey && (kind != Kind.MOVE || !path.getLast().isTerminal())) {
      throw new IllegalArgumentException(
          "only a call's move to its end can free its idempotency key");
    }
    if (kind != Kind.NOTE) {
      Objects.requireNonNull(facts, "facts");
      Objects.requireNonNull(from, "from");
      if (!record.invocationId().equals(facts.invocationId())) {
        throw new IllegalArgumentException(
            "the record of invocation "
                + record.invocationId()
                + " cannot go with a transition of invocation "
                + facts.invocationId());
      }
      InvocationState at = from;
      for (InvocationState to : path) {
        if (!at.canMoveTo(to)) {
          throw new IllegalStateException(
              "invocation " + facts.invocationId() + " cannot move from " + at + " to " + to);
        }
        at = to;
      }
      if (!record.state().equals(at.name())) {
        throw new IllegalArgumentException(
            "the record of invocation "
                + facts.invocationId()
                + " says "
                + record.state()
                + " but the transition leaves it "
                + at);
      }
    }
  }

  /**
   * A new call's first write: its row, in the state {@code path} (from RECEIVED) ends in, with
   * {@code ending} (null while it has none), and its record. With {@code claimKey} the call claims
   * its idempotency key: when another call holds it, nothing is written and the ledger answers that
   * holder.
   */
  public static Transition open(
      Invocation call,
      String argumentsDigest,
      boolean claimKey,
      List<InvocationState> path,
      Ending ending,
      AuditEntry record) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException(
          "the first write of invocation " + call.invocationId() + " needs the states it passes");
    }
    Objects.requireNonNull(argumentsDigest, "argumentsDigest");
    if (claimKey && call.idempotencyKey() == null) {
      throw new IllegalArgumentException(
          "invocation " + call.invocationId() + " has no idempotency key to claim");
    }
    return new Transition(
        Kind.OPEN,
        call,
        InvocationState.RECEIVED,
        path,
        ending,
        argumentsDigest,
        claimKey,
        null,
        record,
        false);
  }

  /**
   * Moves a recorded call from {@code expected} through {@code path}, storing what {@code facts}
   * learnt (tool, decision, credential) and {@code ending} (null while it has none). Of two writers
   * moving one call from one state, one wins; the other gets {@link
   * InvocationStore.StateConflictException} and nothing of its transition is written.
   */
  public static Transition move(
      Invocation facts,
      InvocationState expected,
      List<InvocationState> path,
      Ending ending,
      AuditEntry record) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException(
          "a move of invocation " + facts.invocationId() + " needs a state to go to");
    }
    return new Transition(
        Kind.MOVE, facts, expected, path, ending, null, false, null, record, false);
  }

  /** An approver's {@code edit} of the arguments of parked call {@code facts}, with its record. */
  public static Transition edit(Invocation facts, ArgumentsEdit edit, AuditEntry record) {
    Objects.requireNonNull(edit, "edit");
    return new Transition(
        Kind.EDIT,
        facts,
        InvocationState.AWAITING_APPROVAL,
        List.of(),
        null,
        null,
        false,
        edit,
        record,
        false);
  }

  /** A record that moves no call. */
  public static Transition note(AuditEntry record) {
    return new Transition(Kind.NOTE, null, null, List.of(), null, null, false, null, record, false);
  }

  /**
   * This move to the call's end, also freeing its idempotency key: for a call that provably never
   * reached its upstream, or only read, so that a retry with the same key runs instead of getting
   * this ending again.
   */
  public Transition releasingKey() {
    return new Transition(
        kind, facts, from, path, ending, argumentsDigest, claimsKey, edit, record, true);
  }

  /** The state the call is in once this is written (null for a note). */
  public InvocationState to() {
    return kind == Kind.NOTE ? null : path.isEmpty() ? from : path.getLast();
  }
}
