package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis demo}, as a new user runs it: every act behaves as it says, or the build fails.
 */
class DemoCommandTest {
  @TempDir Path data;

  @Test
  void everyStepOfTheDemonstrationBehavesAsDescribed() {
    CliRun demo = CliRun.of("demo", "--data", data.toString());

    assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out())
        .contains("Every step behaved as described.")
        .contains("the agent's same call returns", "approving again is refused")
        .contains("intact, 15 records verified")
        .doesNotContain("NOT AS EXPECTED");
  }
}
