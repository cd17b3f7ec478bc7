package dev.portcullis.invocation;

/** Why a call was refused before anything executed. */
public enum DenialKind {
  /** No catalog entry has that name: blocked by default. */
  UNKNOWN_TOOL,
  /** The arguments break the tool's schema or the size limits. */
  INVALID_ARGUMENTS,
  /** No policy rule allows this agent to make this call. */
  POLICY
}
