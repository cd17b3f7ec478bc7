package dev.portcullis.invocation;

import dev.portcullis.invocation.InvocationStore.StoreException;
import java.time.Instant;

/**
 * A gateway node's claim, on a store several nodes share, that it is alive and runs the calls it
 * wrote ({@link InvocationStore#orphaned}): renewed every few seconds, ended at a clean stop. Once
 * it has lapsed, the other nodes settle the calls it left executing, as a restart would.
 */
public interface NodeLease {
  /** Extends this node's lease from {@code now}. */
  void renew(Instant now) throws StoreException;

  /** Ends the lease at once (a clean stop: every call in flight has finished). */
  void end();
}
