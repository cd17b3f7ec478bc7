package dev.portcullis.pipeline;

import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;

/**
 * One step of the road every tool call travels. A stage reads the invocation, may add to it, and
 * either passes it on with {@link Chain#proceed} or ends the call by returning an outcome. Stages
 * never call each other directly and never talk to a transport.
 */
public interface Stage {
  Outcome handle(Invocation invocation, Chain chain);

  /** The position of a stage in a running pipeline, handed to each stage. */
  interface Chain {
    Invocation invocation();

    /** Hands the invocation to the next stage; may be called at most once per stage. */
    Outcome proceed(Invocation invocation);
  }
}
