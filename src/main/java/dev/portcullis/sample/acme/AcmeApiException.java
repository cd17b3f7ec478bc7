package dev.portcullis.sample.acme;

/**
 * An error the Acme API reports to its caller as {@code {"error": code, "detail": detail}} with the
 * given HTTP status. Handlers throw it instead of writing error bodies so that every error path
 * renders the same way.
 */
final class AcmeApiException extends RuntimeException {

  private final int status;
  private final String code;

  AcmeApiException(int status, String code, String detail) {
    // No stack trace: these are expected outcomes, not bugs, and are thrown on hot paths.
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
  }

  static AcmeApiException badRequest(String detail) {
    return new AcmeApiException(400, "bad_request", detail);
  }

  static AcmeApiException notFound(String detail) {
    return new AcmeApiException(404, "not_found", detail);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  String detail() {
    return getMessage();
  }
}
