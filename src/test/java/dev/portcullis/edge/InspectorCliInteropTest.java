package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.portcullis.testing.GatewayFixture;
import dev.portcullis.testing.Needs;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official MCP Inspector CLI, a third-party TypeScript client, against a real gateway: proof
 * that the {@code /mcp} edge speaks streamable HTTP as others do, not only as our SDK does.
 *
 * <p>Needs {@code npx} (node 20+). Without it the tests are skipped, unless {@code CI} is set: CI
 * installs node, so there a missing {@code npx} is a failure. The first run downloads the package
 * into the npm cache, which the generous per-run bound allows for.
 */
class InspectorCliInteropTest {
  private static final String INSPECTOR = "@modelcontextprotocol/inspector@1.0.3";

  /** Bounds a hung run; the first one downloads the Inspector (about 15 s on a good line). */
  private static final long RUN_BOUND_SECONDS = 180;

  @TempDir static Path work;
  static Path npx;
  static GatewayFixture gateway;
  static final JsonMapper json = JsonMapper.builder().build();
  static final AtomicInteger runs = new AtomicInteger();

  @BeforeAll
  static void start() {
    npx = Needs.onPath("npx", "interop with the official MCP Inspector CLI (needs node 20+)");
    gateway = GatewayFixture.start(work.resolve("data"));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @BeforeEach
  void forgetEarlierUpstreamRequests() {
    gateway.acme().clearRequestLog();
  }

  @Test
  void listsExactlyTheToolsGrantedToSupport() {
    JsonNode result = inspector(GatewayFixture.SUPPORT_KEY, "--method", "tools/list");

    List<String> names =
        StreamSupport.stream(result.path("tools").spliterator(), false)
            .map(t -> t.path("name").asString())
            .sorted()
            .toList();
    assertThat(names)
        .containsExactly(
            "crm_find_customer_by_email",
            "crm_get_customer",
            "orders_get",
            "orders_list_for_customer",
            "portcullis_outcome",
            "tickets_create");
  }

  @Test
  void callsAnAllowedToolAndReadsTheStructuredResult() {
    JsonNode result =
        inspector(
            GatewayFixture.SUPPORT_KEY,
            "--method",
            "tools/call",
            "--tool-name",
            "crm_get_customer",
            "--tool-arg",
            "customerId=C-1001");

    assertThat(result.path("isError").asBoolean()).isFalse();
    assertThat(result.at("/structuredContent/name").asString()).isEqualTo("Maria Keller");
    assertThat(result.at("/content/0/text").asString())
        .contains("[redacted:email]")
        .doesNotContain("maria.keller");
    assertThat(gateway.acme().requestLog()).containsExactly("GET /api/customers/C-1001");
  }

  @Test
  void seesAPolicyDenialAsAnErrorResultThatNeverReachedAcme() {
    JsonNode result =
        inspector(
            GatewayFixture.BILLING_KEY,
            "--method",
            "tools/call",
            "--tool-name",
            "orders_refund",
            "--tool-arg",
            "orderId=O-5001",
            "amount=1500",
            "reason=goodwill");

    assertThat(result.path("isError").asBoolean()).isTrue();
    assertThat(result.at("/structuredContent/error/type").asString()).endsWith("denied-by-policy");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  @Test
  void reportsAnUnknownToolAsInvalidParams() {
    Run run =
        run(
            GatewayFixture.SUPPORT_KEY,
            "--method",
            "tools/call",
            "--tool-name",
            "crm_delete_customer",
            "--tool-arg",
            "customerId=C-1001");

    assertThat(run.exit()).as(run.describe()).isNotZero();
    assertThat(run.stderr()).contains("-32602").contains("Unknown tool: crm_delete_customer");
    assertThat(gateway.acme().requestLog()).isEmpty();
  }

  /** Runs the Inspector, expects success, and parses the JSON it printed. */
  private static JsonNode inspector(String key, String... args) {
    Run run = run(key, args);
    assertThat(run.exit()).as(run.describe()).isZero();
    int start = run.stdout().indexOf('{');
    assertThat(start).as(run.describe()).isNotNegative();
    return json.readTree(run.stdout().substring(start));
  }

  private static Run run(String key, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                npx.toString(),
                "-y",
                INSPECTOR,
                "--cli",
                gateway.baseUri() + "/mcp",
                "--transport",
                "http",
                "--header",
                "Authorization: Bearer " + key));
    command.addAll(Arrays.asList(args));
    int n = runs.incrementAndGet();
    Path out = work.resolve("inspector-" + n + ".out");
    Path err = work.resolve("inspector-" + n + ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().put("CI", "true");
    pb.environment().put("NO_UPDATE_NOTIFIER", "1");
    try {
      Process process = pb.start();
      if (!process.waitFor(RUN_BOUND_SECONDS, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        fail(
            "the Inspector did not finish within "
                + RUN_BOUND_SECONDS
                + " s: "
                + command
                + "\nstderr:\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Run(
          command,
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static File nullDevice() {
    return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  /** One finished Inspector run; stderr carries npm's noise (engines warnings) and errors. */
  private record Run(List<String> command, int exit, String stdout, String stderr) {
    String describe() {
      return String.join(" ", command)
          + "\nexit "
          + exit
          + "\nstdout:\n"
          + stdout
          + "\nstderr:\n"
          + stderr;
    }
  }
}
