package dev.portcullis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the scenario benchmark with one-second windows, in each mode: the harness starts
 * what it needs, every call kind gets its expected answer, and the report has every row. It asserts
 * nothing about time.
 */
class GatewayScenariosBenchmarkTest {
  @TempDir Path work;

  @Test
  void reportsEveryScenarioInOneJvm() throws Exception {
    Map<String, String> env = quick("in-jvm");
    env.put("BENCH_CONCURRENCY", "1");
    String report = GatewayScenariosBenchmark.run(ScenarioSettings.from(env), quiet());

    assertEveryRow(report);
    assertThat(report).contains("in-jvm: load generator, gateway and Acme share this one JVM");
  }

  @Test
  void reportsEveryScenarioWithTheGatewayAndAcmeInProcessesOfTheirOwn() throws Exception {
    Map<String, String> env = quick("processes");
    env.put("BENCH_CONCURRENCY", "2");
    env.put("BENCH_WORKLOADS", "read");
    env.put("BENCH_ROUNDS", "2");
    String report = GatewayScenariosBenchmark.run(ScenarioSettings.from(env), quiet());

    assertThat(report)
        .contains(
            "processes: load generator (pid",
            "`portcullis serve`, pid",
            "`portcullis sample acme`, pid");
    for (String door : new String[] {"direct", "REST", "MCP"}) {
      assertThat(report)
          .contains(
              "| read | " + door + " (round 1) | 2 |",
              "| read | " + door + " (round 2) | 2 |",
              "| read | " + door + " | 4 | 50 |");
    }
    assertThat(report).contains("the median of 2 rounds");
    // the second round runs the doors the other way round
    assertThat(report.indexOf("| read | MCP (round 2) |"))
        .isLessThan(report.indexOf("| read | direct (round 2) |"));
    assertThat(report)
        .containsPattern("\\| read REST \\| 20 \\| 0 \\| [0-9,]+ \\| [0-9,]+ \\|")
        .contains("| read | 2 | ")
        .doesNotContain("First error");
  }

  @Test
  void refusesAnUnknownModeByName() {
    Map<String, String> env = quick("one-process");

    assertThatThrownBy(() -> ScenarioSettings.from(env))
        .hasMessage("BENCH_MODE=one-process: expected processes or in-jvm");
  }

  /**
   * Every closed-loop row at one client, the summaries, the open-loop read, stored bytes and the
   * fsync probe.
   */
  private static void assertEveryRow(String report) {
    for (Workload w : Workload.values()) {
      assertThat(report)
          .contains(
              "| " + w.id + " | REST | 1 |", "| " + w.id + " | MCP | 1 |", "| " + w.id + " | 1 | ")
          .containsPattern("\\| " + w.id + " REST \\| 20 \\| 0 \\| [0-9,]+ \\| [0-9,]+ \\|")
          .containsPattern("\\| " + w.id + " MCP \\| 20 \\| 0 \\| [0-9,]+ \\| [0-9,]+ \\|");
      if (w.hasDirect()) {
        assertThat(report).contains("| " + w.id + " | direct | 1 |");
      }
    }
    for (String door : new String[] {"direct", "REST", "MCP"}) {
      assertThat(report).contains("| read | " + door + " | 4 | 50 |");
    }
    assertThat(report)
        .contains(
            "| before the load | 20 |",
            "| after the load | 20 |",
            "### What the gateway adds at one client")
        .doesNotContain("First error");
  }

  private Map<String, String> quick(String mode) {
    return new HashMap<>(
        Map.of(
            "BENCH_MODE",
            mode,
            "BENCH_WORK_DIR",
            work.resolve("run").toString(),
            "BENCH_JIT_WARMUP_SECONDS",
            "0",
            "BENCH_WARMUP_SECONDS",
            "0",
            "BENCH_SECONDS",
            "1",
            "BENCH_RATE",
            "50",
            "BENCH_OPEN_CLIENTS",
            "4",
            "BENCH_OPEN_WORKLOADS",
            "read",
            "BENCH_STORED_CALLS",
            "20",
            "BENCH_FSYNC_COUNT",
            "20"));
  }

  private static Progress quiet() {
    return new Progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }
}
