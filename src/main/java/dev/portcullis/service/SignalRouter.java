package dev.portcullis.service;

import dev.portcullis.invocation.NodeSignals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each signal from the other nodes to what follows it: a policy publication to the policy
 * follower, a tool approval or quarantine to {@link UpstreamTools}, a decided approval to {@link
 * ApprovalSignals} (which wakes a waiting MCP call). After a gap in the signals everything is read
 * again.
 *
 * <p>Concurrency: runs on the signals' one delivery thread. Failure: a follower that fails is
 * logged; its own polling reads the store again.
 */
public final class SignalRouter implements NodeSignals.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(SignalRouter.class);

  private final Runnable policy;
  private final UpstreamTools tools;
  private final ApprovalSignals approvals;

  /** {@code policy} reads the newest policy bundle (and must not throw). */
  public SignalRouter(Runnable policy, UpstreamTools tools, ApprovalSignals approvals) {
    this.policy = policy;
    this.tools = tools;
    this.approvals = approvals;
  }

  @Override
  public void signalled(NodeSignals.Signal signal) {
    switch (signal.topic()) {
      case POLICY -> policy.run();
      case TOOLS -> tools();
      case APPROVAL -> approvals.decidedElsewhere(signal.subject());
    }
  }

  @Override
  public void missed() {
    policy.run();
    tools();
    // waiting MCP calls read the store on their own every few hundred milliseconds
  }

  private void tools() {
    try {
      tools.reloadPins();
    } catch (dev.portcullis.catalog.ToolPins.PinStoreException | RuntimeException e) {
      LOG.warn("cannot read the tool approvals another node signalled: {}", e.getMessage());
    }
  }
}
