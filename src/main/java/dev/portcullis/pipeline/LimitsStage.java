package dev.portcullis.pipeline;

import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;

/**
 * Will enforce the kill switch, rate limits, quotas and budgets. For now it only passes the call on
 * and never ends it: no limits are configured yet, and it does not pretend otherwise.
 */
public final class LimitsStage implements Stage {
  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    return chain.proceed(invocation);
  }
}
