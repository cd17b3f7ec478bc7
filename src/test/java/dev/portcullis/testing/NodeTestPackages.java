package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The npm packages the tests run under node (src/test/resources/mcp-upstream: the TypeScript SDK v1
 * stand-in upstream server, the SDK v2 client and the tasks extension's requester), installed once
 * under target/ with {@code npm ci} from the committed lock file. {@code script/bootstrap} installs
 * them up front; this installs them when it could not. Without node or npm the caller is skipped,
 * or fails under {@code CI} ({@link Needs}).
 */
public final class NodeTestPackages {
  /** Where the packages and the scripts are. */
  public static final Path DIR = Path.of("target/mcp-upstream").toAbsolutePath();

  private static final List<String> FILES =
      List.of(
          "package.json", "package-lock.json", "server.mjs", "client-v2.mjs", "client-tasks.mjs");

  private static final List<String> PACKAGES =
      List.of(
          "@modelcontextprotocol/sdk",
          "@modelcontextprotocol/client",
          "@modelcontextprotocol/ext-tasks");

  private NodeTestPackages() {}

  /** Installs the packages if any is missing; answers node's path. */
  public static synchronized Path installed(String untested)
      throws IOException, InterruptedException {
    Path node = Needs.onPath("node", untested);
    Path npm = Needs.onPath("npm", untested);
    Files.createDirectories(DIR);
    for (String file : FILES) {
      Files.copy(
          Path.of("src/test/resources/mcp-upstream", file),
          DIR.resolve(file),
          StandardCopyOption.REPLACE_EXISTING);
    }
    if (PACKAGES.stream().anyMatch(p -> !Files.isDirectory(DIR.resolve("node_modules/" + p)))) {
      Process p =
          new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund")
              .directory(DIR.toFile())
              .redirectErrorStream(true)
              .redirectOutput(DIR.resolve("npm.log").toFile())
              .start();
      if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        fail(
            "npm ci failed in "
                + DIR
                + ": "
                + Files.readString(DIR.resolve("npm.log"), StandardCharsets.UTF_8));
      }
    }
    return node;
  }
}
