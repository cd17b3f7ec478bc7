package dev.portcullis.edge;

/**
 * Every kind of error the HTTP edges answer, each with a stable RFC 9457 {@code type}, its status
 * and a title. Clients branch on {@link #uri()}; the list is documented in docs/errors.md.
 */
public enum ProblemType {
  MALFORMED_REQUEST(400, "The request body is not a valid request"),
  UNAUTHENTICATED(401, "A valid agent credential is required"),
  INVALID_USER_TOKEN(401, "The delegating user's token is not valid"),
  HOST_NOT_ALLOWED(403, "The Host header names a host this gateway does not serve"),
  ORIGIN_NOT_ALLOWED(403, "Requests from this browser origin are not allowed"),
  DENIED_BY_POLICY(403, "No policy permits this call"),
  AGENT_NOT_REGISTERED(403, "The credential is valid but names no agent registered here"),
  TENANT_MISMATCH(403, "The user does not belong to the agent's tenant"),
  TOOL_NOT_APPROVED(403, "This upstream tool has not been approved by an operator"),
  TOOL_QUARANTINED(
      403, "This upstream tool is quarantined: its descriptor changed since it was approved"),
  APPROVAL_DENIED(403, "A person denied this call when asked to approve it"),
  NOT_AN_APPROVER(403, "Only a configured approver may act on approval requests"),
  FOUR_EYES(403, "The user a call was made for cannot approve it"),
  UNKNOWN_TOOL(404, "No tool has this name"),
  NOT_FOUND(404, "No such resource"),
  METHOD_NOT_ALLOWED(405, "This method is not allowed here"),
  NOT_ACCEPTABLE(406, "The response cannot be given in an accepted media type"),
  PAYLOAD_TOO_LARGE(413, "The request body is too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "The request body must be application/json"),
  UNSUPPORTED_CONTENT_ENCODING(
      415, "The request body's Content-Encoding is not one this gateway decodes"),
  URI_TOO_LONG(414, "The request URI is too long"),
  TOO_MANY_SESSIONS(429, "This agent holds as many MCP sessions as it may"),
  HEADERS_TOO_LARGE(431, "The request's header fields are too large"),
  DESCRIPTOR_CHANGED(
      409, "The tool's descriptor changed while the call was under way; nothing ran"),
  IDEMPOTENCY_KEY_REUSED(409, "The idempotency key was already used for a different request"),
  IDEMPOTENCY_KEY_IN_FLIGHT(409, "The call this idempotency key names has not ended yet"),
  APPROVAL_DECIDED(409, "The approval request has already been decided"),
  APPROVAL_EXPIRED(409, "The approval request passed its deadline unanswered"),
  INVOCATION_CANCELLED(409, "This call was cancelled"),
  ALREADY_VOTED(409, "This approver has already approved these arguments"),
  APPROVAL_ARGUMENTS_CHANGED(
      409, "The call's arguments were edited since they were read; nothing was recorded"),
  INVOCATION_NOT_RECONCILABLE(409, "Only a call awaiting reconciliation can be settled"),
  INVOCATION_NOT_COMPLETED(409, "Only a completed call can be reverted"),
  NO_COMPENSATION(409, "The call's tool declares no compensation"),
  COMPENSATION_INCOMPLETE(
      409, "The compensation's arguments cannot be built from what the call recorded"),
  INVALID_ARGUMENTS(422, "The arguments do not match the tool's input schema"),
  INVALID_EDIT(422, "The edited arguments are not valid for the tool; nothing changed"),
  INTERNAL(500, "Internal error"),
  STORED_CALL_ALTERED(
      500, "The stored call does not match what the audit log recorded for it; nothing ran"),
  UPSTREAM_REJECTED(502, "The upstream system refused the request"),
  UPSTREAM_ERROR(502, "The upstream system failed"),
  UPSTREAM_UNREACHABLE(502, "The upstream system could not be reached"),
  BEFORE_STATE_UNAVAILABLE(
      502, "The state the write would change could not be read first; nothing was written"),
  INTERRUPTED(502, "The gateway stopped during the call; an operator settled it as failed"),
  CONNECTOR_UNAVAILABLE(503, "The connector cannot act right now"),
  AUDIT_UNAVAILABLE(503, "The audit log cannot be written"),
  STORE_UNAVAILABLE(503, "The invocation store cannot be written"),
  SESSIONS_EXHAUSTED(503, "The gateway holds as many MCP sessions as it may"),
  UPSTREAM_TIMEOUT(504, "The upstream system did not answer in time"),
  HTTP_VERSION_NOT_SUPPORTED(505, "This HTTP version is not supported; use HTTP/1.1 or HTTP/2");

  /**
   * The type for an HTTP status the web server or the router produced on its own (a request it
   * could not parse, a method no route takes): the status's own type, else {@code
   * malformed-request} for another 4xx and {@code internal} for the rest.
   */
  public static ProblemType forStatus(int status) {
    return switch (status) {
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 406 -> NOT_ACCEPTABLE;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 414 -> URI_TOO_LONG;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 431 -> HEADERS_TOO_LARGE;
      case 505 -> HTTP_VERSION_NOT_SUPPORTED;
      default -> status >= 400 && status < 500 ? MALFORMED_REQUEST : INTERNAL;
    };
  }

  private final int status;
  private final String title;

  ProblemType(int status, String title) {
    this.status = status;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** The short, stable name: {@code unknown-tool}. */
  public String slug() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** The RFC 9457 type: {@code urn:portcullis:problem:unknown-tool}. */
  public String uri() {
    return "urn:portcullis:problem:" + slug();
  }
}
