package dev.portcullis.approval;

import java.time.Duration;
import java.util.Objects;

/** {@code approvals:} in the gateway configuration: how long a request waits for a person. */
public record ApprovalSettings(Duration timeout) {
  /** An hour: long enough for a person on duty, short enough that a stale call does not linger. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  public static final ApprovalSettings DEFAULTS = new ApprovalSettings(DEFAULT_TIMEOUT);

  public ApprovalSettings {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("approvals.timeout must be positive");
    }
  }
}
