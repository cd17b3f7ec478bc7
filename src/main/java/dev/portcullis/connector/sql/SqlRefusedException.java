package dev.portcullis.connector.sql;

/** A statement the {@link SqlGuard} will not let through; the message says why. */
public final class SqlRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  public SqlRefusedException(String message) {
    super(message);
  }
}
