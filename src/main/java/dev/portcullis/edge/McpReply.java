package dev.portcullis.edge;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import tools.jackson.databind.json.JsonMapper;

/**
 * The answer to one MCP POST: a plain {@code application/json} body, unless a notification has to
 * go first (progress while a parked call waits for its approval). Then, as streamable HTTP asks,
 * the answer becomes a {@code text/event-stream}: each notification one {@code message} event, the
 * JSON-RPC response the last, and the stream ends. A client that accepts only JSON gets no stream
 * and no notifications ({@link #canStream}).
 *
 * <p>Failure: a notification that cannot be written means the client has gone; {@link #notify} says
 * so and nothing more is written.
 */
final class McpReply {
  private final Context ctx;
  private final JsonMapper json;
  private final boolean streamAccepted;
  private OutputStream stream;
  private boolean gone;

  McpReply(Context ctx, JsonMapper json) {
    this.ctx = ctx;
    this.json = json;
    String accept = ctx.header("Accept");
    this.streamAccepted =
        accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream");
  }

  /** Whether the client accepts an event stream, so that notifications can reach it. */
  boolean canStream() {
    return streamAccepted;
  }

  /**
   * Sends {@code notification} ahead of the answer, turning the answer into an event stream; false
   * when the client cannot take it (it accepts only JSON, or has gone).
   */
  boolean notify(Object notification) {
    if (!streamAccepted || gone) {
      return false;
    }
    try {
      if (stream == null) {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        stream = ctx.res().getOutputStream();
      }
      event(notification);
      return true;
    } catch (IOException | RuntimeException e) {
      gone = true;
      return false;
    }
  }

  /** Writes the JSON-RPC answer: as the body, or as the last event of a stream already open. */
  void answer(int status, Object response) {
    if (stream == null) {
      Responses.json(ctx, json, status, response);
      return;
    }
    if (gone) {
      return;
    }
    try {
      event(response);
    } catch (IOException | RuntimeException e) {
      gone = true;
    }
  }

  private void event(Object message) throws IOException {
    byte[] data = json.writeValueAsBytes(message); // JSON escapes line breaks: one data line
    stream.write("event: message\ndata: ".getBytes(StandardCharsets.US_ASCII));
    stream.write(data);
    stream.write("\n\n".getBytes(StandardCharsets.US_ASCII));
    stream.flush();
  }
}
