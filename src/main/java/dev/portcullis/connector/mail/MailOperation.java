package dev.portcullis.connector.mail;

import java.util.Objects;

/** What one tool does on a mail connector, fixed at load. */
public record MailOperation(String toolName, Action action) {
  /** The operations a tool may be bound to. */
  public enum Action {
    /**
     * Send one text/plain message: arguments {@code to}, optional {@code cc}, {@code subject},
     * {@code body}.
     */
    SEND("send");

    private final String wireName;

    Action(String wireName) {
      this.wireName = wireName;
    }

    /** The name written in configuration ({@code action: send}). */
    public String wireName() {
      return wireName;
    }
  }

  public MailOperation {
    Objects.requireNonNull(toolName, "toolName");
    Objects.requireNonNull(action, "action");
  }
}
