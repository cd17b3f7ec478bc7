package dev.portcullis.approval;

import dev.portcullis.invocation.ArgumentsEdit;
import dev.portcullis.invocation.InvocationStore.StoreException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable approval requests, one per parked invocation, and the approvers' votes on them.
 *
 * <p>Concurrency: every change is a compare-and-set from PENDING. {@link #decide} moves a request
 * out of pending: of two people deciding one request at once, exactly one wins and the other gets
 * false. {@link #vote} records a vote and, when it completes the quorum, approves the request, in
 * one transaction: of two final votes racing, exactly one approves and the other finds the request
 * no longer pending. A vote counts only for the arguments the call has when it is recorded, and
 * {@link #edit} replaces them only while the request is pending, so a quorum is always of votes
 * for the arguments that run. A decided request never changes again.
 */
public interface ApprovalStore {
  void create(ApprovalRequest request) throws StoreException;

  Optional<ApprovalRequest> find(String approvalId) throws StoreException;

  /** The request made when {@code invocationId} was parked, if it was. */
  Optional<ApprovalRequest> forInvocation(String invocationId) throws StoreException;

  /** Every request in {@code status}, oldest first. */
  List<ApprovalRequest> inStatus(ApprovalStatus status) throws StoreException;

  /**
   * Moves a PENDING request to {@code decided} (APPROVED, DENIED or EXPIRED), recording who, when
   * and why. Returns false, changing nothing, when the request is not pending (any more).
   */
  boolean decide(String approvalId, ApprovalStatus decided, String by, Instant at, String reason)
      throws StoreException;

  /** The votes given on a request, in the order they were given (including those for earlier arguments). */
  List<ApprovalVote> votes(String approvalId) throws StoreException;

  /**
   * Records {@code vote} if the request is pending, the approver has not voted for these arguments
   * yet, and {@code vote.argumentsDigest()} is the digest of the call's arguments now (edited or
   * not). When the votes for these arguments then reach the request's required number, the request
   * becomes APPROVED, decided by this voter, in the same transaction. Anything refused changes
   * nothing.
   */
  Ballot vote(ApprovalVote vote) throws StoreException;

  /**
   * Replaces the arguments of the request's call with {@code edit} (the store keeps the agent's
   * too), if the request is pending and its call's arguments now have digest {@code expectedDigest}.
   * Records no vote. Anything refused changes nothing.
   */
  Ballot.Kind edit(String approvalId, String expectedDigest, ArgumentsEdit edit) throws StoreException;

  /** What a vote or an edit did: {@code votes} counts the votes for the call's arguments after it. */
  record Ballot(Kind kind, int votes) {
    public Ballot {
      Objects.requireNonNull(kind, "kind");
    }

    public enum Kind {
      /** The vote (or edit) is recorded; the request is still pending. */
      RECORDED,
      /** The vote completed the quorum: the request is now APPROVED. */
      APPROVED,
      /** This approver already voted for these arguments; nothing changed. */
      ALREADY_VOTED,
      /** The call's arguments are no longer the ones named (someone edited them); nothing changed. */
      STALE,
      /** The request is not pending (any more); nothing changed. */
      NOT_PENDING
    }
  }
}
