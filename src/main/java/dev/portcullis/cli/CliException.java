package dev.portcullis.cli;

/**
 * A failure the user can act on: its message says what went wrong and what to do next. The exit
 * code is 1 unless a command documents another (the policy commands use 2 for errors, keeping 1 for
 * "tests failed" and "decisions changed").
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CliException(String message) {
    this(message, 1);
  }

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
