package dev.portcullis.pipeline;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.catalog.ResultFilter;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;

/**
 * Minimises and redacts a completed call's result with the tool's compiled result filter (field
 * allowlist, personal data), and notes what it took out on the outcome for the audit record. It
 * never ends a call; other outcomes pass through unchanged.
 *
 * <p>Security: the filter runs on the way back, before the audit and edge stages outside it see the
 * result, so neither the agent nor the audit log receives a dropped field or a redacted value.
 */
public final class FilterStage implements Stage {
  private final Catalog catalog;

  public FilterStage(Catalog catalog) {
    this.catalog = catalog;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Outcome outcome = chain.proceed(invocation);
    if (!(outcome instanceof Outcome.Completed c)) {
      return outcome;
    }
    ResultFilter filter =
        catalog.find(invocation.toolName()).map(CatalogEntry::result).orElse(ResultFilter.DEFAULT);
    ResultFilter.Filtered f = filter.apply(c.result());
    return new Outcome.Completed(c.invocation(), f.result(), f.report());
  }
}
