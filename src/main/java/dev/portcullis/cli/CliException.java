package dev.portcullis.cli;

/** A failure the user can act on: its message says what went wrong and what to do next. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }
}
