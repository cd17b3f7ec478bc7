package dev.portcullis.policy;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Invocation;

/** Decides calls. Anything no rule allows is denied. */
public interface PolicyEngine {
  /** Decides one resolved, validated call. Never throws for a rule that errors. */
  Decision decide(Invocation invocation);

  /**
   * Whether some rule could allow {@code agent} to call {@code toolName}: used to list only the
   * tools an agent may call. Conditions on arguments are decided per call, not here.
   */
  boolean mayCall(AgentRef agent, String toolName);

  /** The hash of the policy set that decides, stamped on every decision. */
  String version();
}
