package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} opens the store while the configuration loads; what a start that fails reports and
 * leaves behind is what it was before.
 */
class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void aConfigurationThatDoesNotLoadIsReportedAndLeavesTheDataDirectoryFree() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("bad.yaml"), "apiVersion: portcullis.dev/v1alpha1\nkind: Nonsense\n");
    Path data = dir.resolve("data");

    CliRun run = CliRun.of("serve", "--config", config.toString(), "--data", data.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("error: the configuration cannot be loaded; nothing was started.");
    try (OpenedStore again = OpenedStore.open(data, Map.of())) {
      assertThat(again.data().path()).isEqualTo(data);
    }
  }

  @Test
  void aMissingConfigurationIsReportedAsBefore() {
    CliRun run =
        CliRun.of(
            "serve",
            "--config",
            dir.resolve("none.yaml").toString(),
            "--data",
            dir.resolve("data").toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("no configuration file at");
  }
}
