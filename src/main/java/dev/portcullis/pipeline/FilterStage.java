package dev.portcullis.pipeline;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.ResultFilter;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;

/**
 * Minimises and redacts a completed call's result with the tool's compiled result filter (field
 * allowlist, personal data in values and member names), notes what it took out on the outcome for
 * the audit record, and redacts the personal data in a failed call's detail (an upstream's error
 * body, an MCP {@code isError} text, a failed before-state read). It never ends a call; denials and
 * parked calls pass through unchanged (their text is the gateway's own).
 *
 * <p>Security: the filter runs on the way back, before the audit, state and edge stages outside it
 * see the outcome, so neither the agent, the invocation store nor the audit log receives a dropped
 * field or a redacted value, whether the call completed or failed.
 */
public final class FilterStage implements Stage {
  private final Catalog catalog;

  public FilterStage(Catalog catalog) {
    this.catalog = catalog;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Outcome outcome = chain.proceed(invocation);
    ResultFilter filter =
        catalog.find(invocation.toolName()).map(CatalogEntry::result).orElse(ResultFilter.DEFAULT);
    return filtered(outcome, filter);
  }

  /**
   * {@code outcome} as {@code filter} leaves it: a completed result minimised and redacted (with
   * its report), a failure's detail redacted, anything else unchanged. Also for a call re-sent on
   * recovery, which does not travel the chain.
   */
  public static Outcome filtered(Outcome outcome, ResultFilter filter) {
    return switch (outcome) {
      case Outcome.Completed c -> {
        ResultFilter.Filtered f = filter.apply(c.result());
        yield new Outcome.Completed(c.invocation(), f.result(), f.report());
      }
      case Outcome.Failed f ->
          new Outcome.Failed(f.invocation(), f.kind(), filter.redactText(f.detail()));
      case Outcome.Denied d -> d;
      case Outcome.AwaitingApproval a -> a;
    };
  }
}
