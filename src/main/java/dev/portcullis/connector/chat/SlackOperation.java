package dev.portcullis.connector.chat;

import java.util.Objects;

/** What one tool does on a Slack connector, fixed at load. */
public record SlackOperation(String toolName, Action action) {
  /** The Slack Web API methods a tool may be bound to. */
  public enum Action {
    /**
     * {@code chat.postMessage}: arguments {@code channel}, {@code text}, optional {@code
     * thread_ts}.
     */
    POST_MESSAGE("postMessage", "chat.postMessage");

    private final String wireName;
    private final String method;

    Action(String wireName, String method) {
      this.wireName = wireName;
      this.method = method;
    }

    /** The name written in configuration ({@code action: postMessage}). */
    public String wireName() {
      return wireName;
    }

    /** The Web API method, appended to the base URL. */
    public String method() {
      return method;
    }
  }

  public SlackOperation {
    Objects.requireNonNull(toolName, "toolName");
    Objects.requireNonNull(action, "action");
  }
}
