package dev.portcullis.service;

import tools.jackson.databind.JsonNode;

/**
 * What an approver sends with an approval, each part optional (null): {@code arguments} to edit the
 * call's arguments, {@code reason} why, and {@code argumentsDigest} the digest of the arguments the
 * approver looked at, so an approval never lands on arguments edited since.
 */
public record ApprovalConsent(JsonNode arguments, String reason, String argumentsDigest) {
  /** Approve the call as it stands, without a word. */
  public static final ApprovalConsent PLAIN = new ApprovalConsent(null, null, null);
}
