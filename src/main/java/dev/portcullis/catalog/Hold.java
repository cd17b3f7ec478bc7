package dev.portcullis.catalog;

import java.util.Objects;

/**
 * Why a catalog tool may not be called now, though configured: an upstream tool nobody has approved
 * yet, one whose descriptor changed since it was approved (quarantine), or one whose upstream has
 * not answered since start, so its live descriptor is not checked yet. The reason is safe to show
 * the agent and says what an operator does next.
 */
public record Hold(Kind kind, String reason) {
  public enum Kind {
    /** An upstream tool no operator has approved: {@code portcullis tools approve}. */
    NOT_APPROVED,
    /**
     * An approved upstream tool whose descriptor changed, or that the upstream no longer offers.
     */
    QUARANTINED,
    /**
     * An approved upstream tool whose upstream has not been listed since start: not checked yet.
     */
    UNVERIFIED
  }

  public Hold {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }
}
