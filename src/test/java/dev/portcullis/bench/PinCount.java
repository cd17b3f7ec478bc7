package dev.portcullis.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * How often a virtual thread parked while pinned to its carrier during a window (JFR's {@code
 * jdk.VirtualThreadPinned}, threshold 0), and the first frame outside the JDK's own thread code of
 * each distinct place.
 */
record PinCount(long events, List<String> where) {
  /** A JFR recording of pinning events only, running until {@link Recorder#stop}. */
  static Recorder record() {
    Recording r = new Recording();
    r.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
    r.start();
    return new Recorder(r);
  }

  static final class Recorder implements AutoCloseable {
    private final Recording recording;

    private Recorder(Recording recording) {
      this.recording = recording;
    }

    PinCount stop() {
      recording.stop();
      try {
        Path file = Files.createTempFile("pinned-", ".jfr");
        try {
          recording.dump(file);
          List<RecordedEvent> events = RecordingFile.readAllEvents(file);
          return new PinCount(
              events.size(), events.stream().map(PinCount::place).distinct().limit(5).toList());
        } finally {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      recording.close();
    }
  }

  private static String place(RecordedEvent e) {
    if (e.getStackTrace() == null) {
      return "(no stack)";
    }
    for (RecordedFrame f : e.getStackTrace().getFrames()) {
      String type = f.getMethod().getType().getName();
      if (!type.startsWith("java.lang.") && !type.startsWith("jdk.internal.")) {
        return type + "." + f.getMethod().getName();
      }
    }
    return "(JDK only)";
  }
}
