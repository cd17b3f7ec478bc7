package dev.portcullis.pipeline;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.ToolDefinition;
import dev.portcullis.connector.Connector;
import dev.portcullis.connector.ConnectorRegistry;
import dev.portcullis.connector.ConnectorResult;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.Outcome;

/**
 * Runs the call through the tool's connector and turns its result into the outcome. Always ends the
 * call; it is the last stage. Refuses anything that has not been committed as EXECUTING. (A write
 * that declares a before-state has had it captured by the stage before this one, {@link
 * BeforeStateStage}.)
 */
public final class ExecuteStage implements Stage {
  private final Catalog catalog;
  private final ConnectorRegistry connectors;

  public ExecuteStage(Catalog catalog, ConnectorRegistry connectors) {
    this.catalog = catalog;
    this.connectors = connectors;
  }

  @Override
  public Outcome handle(Invocation invocation, Chain chain) {
    Committed.require(invocation, "execute");
    ToolDefinition tool = catalog.find(invocation.toolName()).orElseThrow().tool();
    Connector connector =
        connectors
            .find(tool.connector())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "tool "
                            + tool.name()
                            + " names connector "
                            + tool.connector()
                            + ", which is not loaded"));
    ConnectorResult result = connector.invoke(invocation);
    Invocation done =
        result.credential() == null ? invocation : invocation.withCredential(result.credential());
    return switch (result) {
      case ConnectorResult.Success s -> new Outcome.Completed(done, s.value());
      case ConnectorResult.Failure f -> new Outcome.Failed(done, f.kind(), f.detail());
    };
  }
}
