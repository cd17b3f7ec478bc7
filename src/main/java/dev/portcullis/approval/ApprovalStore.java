package dev.portcullis.approval;

import dev.portcullis.invocation.InvocationStore;
import dev.portcullis.invocation.InvocationStore.StoreException;
import dev.portcullis.invocation.Ledger;
import dev.portcullis.invocation.Transition;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The durable approval requests, one per parked invocation, and the approvers' votes on them. Every
 * change that moves or records the call is written with its {@link Transition}, through the ledger,
 * in the same transaction: parking a call creates its request, deciding a request moves its call, a
 * vote and an edit are each recorded in the audit log as they are stored. A crash leaves either
 * both or neither.
 *
 * <p>Concurrency: every change is a compare-and-set from PENDING. {@link #decide} moves a request
 * out of pending: of two people deciding one request at once, exactly one wins and the other gets
 * false. A vote counts only for the arguments the call has when it is recorded, and {@link #edit}
 * replaces them only while the request is pending, so a quorum is always of votes for the arguments
 * that run. A decided request never changes again.
 */
public interface ApprovalStore {
  /**
   * Records {@code request} and writes {@code parking} (the call's first transition, to
   * AWAITING_APPROVAL) in one transaction. When the call's idempotency key is held by another call,
   * writes nothing and answers that holder.
   */
  Ledger.Written park(ApprovalRequest request, Transition parking) throws StoreException;

  Optional<ApprovalRequest> find(String approvalId) throws StoreException;

  /** The request made when {@code invocationId} was parked, if it was. */
  Optional<ApprovalRequest> forInvocation(String invocationId) throws StoreException;

  /** Every request in {@code status}, oldest first. */
  List<ApprovalRequest> inStatus(ApprovalStatus status) throws StoreException;

  /**
   * Moves a PENDING request to {@code decided} (APPROVED, DENIED or EXPIRED), recording who, when
   * and why, and writes {@code then} (the call's move out of AWAITING_APPROVAL) in the same
   * transaction. Returns false, writing nothing, when the request is not pending (any more).
   *
   * @throws InvocationStore.StateConflictException when the call is not where {@code then} expects
   *     it; nothing is written
   */
  boolean decide(
      String approvalId,
      ApprovalStatus decided,
      String by,
      Instant at,
      String reason,
      Transition then)
      throws StoreException;

  /**
   * The votes given on a request, in the order they were given (including those for earlier
   * arguments).
   */
  List<ApprovalVote> votes(String approvalId) throws StoreException;

  /**
   * Records {@code vote} if the request is pending, the approver has not voted for these arguments
   * yet, and {@code vote.argumentsDigest()} is the digest of the call's arguments now (edited or
   * not), with {@code record.apply(ballot)} (its audit record) in the same transaction. A vote
   * never decides the request: when the votes for these arguments reach the required number the
   * ballot says {@link Ballot.Kind#QUORUM}, and the caller decides the request with the call's move
   * ({@link #decide}). Anything refused changes nothing.
   */
  Ballot vote(ApprovalVote vote, Function<Ballot, Transition> record) throws StoreException;

  /**
   * Writes {@code edit} (an approver's edit of the call's arguments, {@link Transition#edit}; the
   * store keeps the agent's too), if the request is pending and its call's arguments now have
   * digest {@code expectedDigest}. Records no vote. Anything refused changes nothing.
   */
  Ballot.Kind edit(String approvalId, String expectedDigest, Transition edit) throws StoreException;

  /**
   * What a vote or an edit did: {@code votes} counts the votes for the call's arguments after it.
   */
  record Ballot(Kind kind, int votes) {
    public Ballot {
      Objects.requireNonNull(kind, "kind");
    }

    public enum Kind {
      /** The vote (or edit) is recorded; the request is still pending. */
      RECORDED,
      /**
       * The vote is recorded and the votes for these arguments reach the quorum; the request is
       * still pending.
       */
      QUORUM,
      /**
       * The votes for these arguments had reached the quorum already, but the call was never
       * resumed (the gateway stopped in between); this vote is not recorded, and the request awaits
       * its call's resumption, which decides it.
       */
      AWAITS_RESUMPTION,
      /** This approver already voted for these arguments; nothing changed. */
      ALREADY_VOTED,
      /**
       * The call's arguments are no longer the ones named (someone edited them); nothing changed.
       */
      STALE,
      /** The request is not pending (any more); nothing changed. */
      NOT_PENDING
    }
  }
}
