package dev.portcullis.catalog;

import java.util.Objects;
import java.util.Optional;

/**
 * What a write tool declares about undoing itself: {@code before}, a read (risk {@code read}) that
 * captures the state the write will change, run just before the write; and {@code compensate}, the
 * call that undoes a completed write, its arguments templated over the write's {@code args}, the
 * captured {@code before} state and the write's filtered {@code result}. Either may be absent.
 */
public record Reversal(
    String tool, Optional<DeclaredCall> before, Optional<DeclaredCall> compensate) {
  public Reversal {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(compensate, "compensate");
  }
}
