package dev.portcullis.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures the gateway's log output while it is open. slf4j-simple writes to {@code System.err}
 * (see {@code simplelogger.properties}) and looks it up on every line, so swapping the stream
 * catches every logger; on close the captured text is passed on to the real stream, so a failing
 * test still shows its logs. Tests run one at a time, so the swap is safe.
 */
public final class LogCapture implements AutoCloseable {
  private final PrintStream original;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private LogCapture() {
    this.original = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  /** Everything logged since {@link #start()}. */
  public String text() {
    System.err.flush();
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    String text = text();
    System.setErr(original);
    original.print(text);
  }
}
