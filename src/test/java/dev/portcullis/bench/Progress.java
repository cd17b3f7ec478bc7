package dev.portcullis.bench;

import java.io.PrintStream;
import java.util.Locale;

/** Progress lines on stderr, stamped with the seconds since the run began. */
final class Progress {
  private final long start = System.nanoTime();
  private final PrintStream out;

  Progress(PrintStream out) {
    this.out = out;
  }

  @com.google.errorprone.annotations.FormatMethod
  void say(String format, Object... args) {
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf(
        Locale.ROOT, "[bench %5.1fs] %s%n", seconds, String.format(Locale.ROOT, format, args));
    out.flush();
  }
}
