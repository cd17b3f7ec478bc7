package dev.portcullis.approval;

import dev.portcullis.invocation.InvocationStore.StoreException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable approval requests, one per parked invocation.
 *
 * <p>Concurrency: {@link #decide} is a compare-and-set from PENDING: of two people deciding one
 * request at once, exactly one wins and the other gets false. A decided request never changes
 * again.
 */
public interface ApprovalStore {
  void create(ApprovalRequest request) throws StoreException;

  Optional<ApprovalRequest> find(String approvalId) throws StoreException;

  /** Every request in {@code status}, oldest first. */
  List<ApprovalRequest> inStatus(ApprovalStatus status) throws StoreException;

  /**
   * Moves a PENDING request to {@code decided} (APPROVED, DENIED or EXPIRED), recording who, when
   * and why. Returns false, changing nothing, when the request is not pending (any more).
   */
  boolean decide(String approvalId, ApprovalStatus decided, String by, Instant at, String reason)
      throws StoreException;
}
