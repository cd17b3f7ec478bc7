package dev.portcullis.connector;

import dev.portcullis.invocation.Invocation;

/**
 * Carries an allowed, recorded call to a system of record. A connector is built at load with the
 * operations of every tool bound to it, so a call only fills in arguments.
 *
 * <p>Lifecycle: built by the wiring at start, {@link #invoke} called concurrently by many calls,
 * {@link #close} once at shutdown. Security: a connector resolves its credential at call time and
 * must keep it out of everything it returns.
 */
public interface Connector extends AutoCloseable {
  String name();

  /** Runs the tool named by the invocation. Never throws for upstream trouble: it is a result. */
  ConnectorResult invoke(Invocation invocation);

  @Override
  default void close() {}
}
