package dev.portcullis.pipeline;

import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.InvocationState;

/** The guard of the stages after the commit: nothing reaches them that is not EXECUTING. */
final class Committed {
  private Committed() {}

  /**
   * @throws IllegalStateException (the chain turns it into an internal failure) when {@code
   *     invocation} was not committed as EXECUTING before reaching {@code where}
   */
  static void require(Invocation invocation, String where) {
    if (invocation.state() != InvocationState.EXECUTING) {
      throw new IllegalStateException(
          "invocation "
              + invocation.invocationId()
              + " reached "
              + where
              + " in state "
              + invocation.state());
    }
  }
}
