package dev.portcullis.policy;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Invocation;
import dev.portcullis.invocation.UserRef;

/** Decides calls. Anything no rule permits is denied. */
public interface PolicyEngine {
  /** Decides one resolved, validated call. Never throws for a rule that errors. */
  Decision decide(Invocation invocation);

  /**
   * Whether some rule could permit {@code agent}, acting for {@code user} (null when none), to call
   * {@code toolName}: used to list only the tools a caller may call. Conditions are decided per
   * call.
   */
  boolean mayCall(AgentRef agent, UserRef user, String toolName);

  /** The version of the policy set in force now. */
  String version();
}
