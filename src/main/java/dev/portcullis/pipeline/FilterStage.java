package dev.portcullis.pipeline;

import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;

/**
 * Will minimise and redact results (field allowlists, PII, secret-shaped values). For now it
 * passes results through unchanged and never ends a call; connectors already mask their own
 * credentials.
 */
public final class FilterStage implements Stage {
  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    return chain.proceed(invocation);
  }
}
