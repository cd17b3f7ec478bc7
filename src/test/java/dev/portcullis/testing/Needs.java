package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Programs a test needs from the machine (node, npm, Chromium). When one is absent the test is not
 * silently passed: outside CI it is aborted with a reason that says what was not tested and how to
 * install what it needs ({@code script/test} lists every such reason at the end of the run); under
 * {@code CI=true} it fails, because CI installs everything ({@code script/bootstrap}).
 */
public final class Needs {
  private Needs() {}

  /** The program on PATH, or aborts/fails saying what {@code untested} names was not tested. */
  public static Path onPath(String program, String untested) {
    return present(which(program), program + " is not on PATH", untested);
  }

  /**
   * A Chromium to drive: {@code $PORTCULLIS_CHROMIUM}, else Debian's or Ubuntu's package, else
   * Chrome. Playwright's own browser download is never used (it cannot run on our machines).
   */
  public static Path chromium(String untested) {
    List<Path> candidates = new ArrayList<>();
    String configured = System.getenv("PORTCULLIS_CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    }
    candidates.addAll(
        List.of(
            Path.of("/usr/bin/chromium"),
            Path.of("/usr/bin/chromium-browser"),
            Path.of("/usr/bin/google-chrome-stable")));
    return present(
        candidates.stream().filter(Files::isExecutable).findFirst(),
        "no Chromium was found (tried " + candidates + ")",
        untested);
  }

  private static Path present(Optional<Path> found, String absent, String untested) {
    if (found.isPresent()) {
      return found.get();
    }
    String message =
        "NOT TESTED: "
            + untested
            + ": "
            + absent
            + "; run script/bootstrap (or script/test) to install what the tests need";
    if (System.getenv("CI") != null) {
      fail(message + " (CI must install it)");
    }
    System.err.println(message);
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  private static Optional<Path> which(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .flatMap(dir -> List.of(Path.of(dir, program), Path.of(dir, program + ".cmd")).stream())
        .filter(Files::isExecutable)
        .findFirst();
  }
}
