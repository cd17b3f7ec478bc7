package dev.portcullis.invocation;

import dev.portcullis.invocation.InvocationStore.StoreException;
import java.util.Optional;

/**
 * Where the before-state of each write that declares one is kept, next to its invocation. At most
 * one per invocation: a second capture for the same call is a bug and is refused.
 *
 * <p>Failure: each write is one transaction; a failed write changes nothing, and the caller fails
 * the write it was about to run (no write whose before-state was not kept).
 */
public interface BeforeStateStore {
  void save(BeforeState captured) throws StoreException;

  Optional<BeforeState> find(String invocationId) throws StoreException;
}
