package dev.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Needs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script ({@code ./portcullis}) and its start-up cache, run for real on a stand-in
 * build: a copy of the script beside a small jar whose main prints its version and the AOT cache
 * the JVM was given, and whose {@code demo} (the training run) succeeds or fails on demand. The
 * cache is an optimisation the JVM trusts blindly (it does not check that the application's jars
 * are the ones the cache was made from), so the launcher must never hand it a cache of another
 * build, and must run the command whatever happens to the cache.
 */
class LauncherTest {
  private static final String NO_CACHE = "cache: none";

  @TempDir Path home;

  @BeforeEach
  void placeTheLauncher() throws IOException {
    Needs.onPath("bash", "the launcher (a bash script) and its start-up cache");
    Path script = home.resolve("portcullis");
    Files.copy(Path.of("portcullis"), script);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(home.resolve("target/lib"));
    build("v1");
  }

  @Test
  void runsWithoutACacheWhenTurnedOff() throws Exception {
    Run run = launch(Map.of("PORTCULLIS_AOT", "off"), "--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("stand-in v1 --version", NO_CACHE);
    assertThat(run.err()).doesNotContain("start-up cache");
    assertThat(home.resolve("target/aot")).doesNotExist();
  }

  @Test
  void makesTheCacheOnceForABuildAndUsesIt() throws Exception {
    Run first = launch(Map.of(), "serve");

    assertThat(first.exitCode()).isZero();
    assertThat(first.err()).contains("Preparing the start-up cache", "done");
    Path cache = onlyCache();
    assertThat(first.out()).contains("stand-in v1 serve", "cache: " + cache);

    Run second = launch(Map.of(), "serve");

    assertThat(second.err()).doesNotContain("Preparing the start-up cache");
    assertThat(second.out()).contains("stand-in v1 serve", "cache: " + cache);
  }

  @Test
  void aNewBuildGetsItsOwnCacheAndRunsItsOwnCode() throws Exception {
    launch(Map.of(), "serve");
    Path before = onlyCache();

    // Same class, same jar size, one character changed: what a one-line fix looks like.
    build("v2");
    Run run = launch(Map.of(), "serve");

    assertThat(run.err()).contains("Preparing the start-up cache");
    assertThat(run.out()).contains("stand-in v2 serve").doesNotContain("stand-in v1");
    Path after = onlyCache();
    assertThat(after).isNotEqualTo(before);
    assertThat(before).doesNotExist();
    assertThat(run.out()).contains("cache: " + after);
  }

  @Test
  void aFailedTrainingRunLeavesTheCommandWorkingAndIsNotRepeatedForThatBuild() throws Exception {
    Files.writeString(home.resolve("fail-training"), "");

    Run first = launch(Map.of(), "serve");

    assertThat(first.exitCode()).isZero();
    assertThat(first.err())
        .contains("warning: the start-up cache could not be made")
        .contains("running without it");
    assertThat(first.out()).contains("stand-in v1 serve", NO_CACHE);

    Run second = launch(Map.of(), "serve");

    assertThat(second.exitCode()).isZero();
    assertThat(second.err()).doesNotContain("start-up cache");
    assertThat(second.out()).contains("stand-in v1 serve", NO_CACHE);
  }

  @Test
  void aCacheDirectoryThatCannotBeMadeLeavesTheCommandWorking() throws Exception {
    Files.writeString(home.resolve("target/aot"), "a file where the cache directory goes");

    Run run = launch(Map.of(), "serve");

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).contains("warning: no start-up cache");
    assertThat(run.out()).contains("stand-in v1 serve", NO_CACHE);
  }

  @Test
  void theCommandsExitCodeAndArgumentsPassThrough() throws Exception {
    Run run = launch(Map.of("PORTCULLIS_AOT", "off"), "exit", "7", "with space");

    assertThat(run.exitCode()).isEqualTo(7);
    assertThat(run.out()).contains("stand-in v1 exit 7 with space");
  }

  private Path onlyCache() throws IOException {
    try (Stream<Path> files = Files.list(home.resolve("target/aot"))) {
      List<Path> caches =
          files.filter(p -> p.getFileName().toString().matches("portcullis-\\d+\\.aot")).toList();
      assertThat(caches).hasSize(1);
      return caches.getFirst();
    }
  }

  /**
   * Writes target/portcullis.jar (and one library, as the real build has) with a main that prints
   * "stand-in VERSION ARGS" and the AOT cache it was started with; its {@code demo} is the training
   * run, failing while the file fail-training exists.
   */
  private void build(String version) throws IOException {
    Path src = Files.createDirectories(home.resolve("stand-in-src"));
    Files.writeString(
        src.resolve("StandIn.java"),
        """
        import java.lang.management.ManagementFactory;
        import java.nio.file.Files;
        import java.nio.file.Path;

        public class StandIn {
          public static void main(String[] args) {
            if (args.length > 0 && args[0].equals("demo")) {
              Path home = Path.of(System.getenv("PORTCULLIS_HOME"));
              System.exit(Files.exists(home.resolve("fail-training")) ? 3 : 0);
            }
            System.out.println("stand-in VERSION " + String.join(" ", args));
            System.out.println(
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("-XX:AOTCache="))
                    .map(a -> "cache: " + a.substring("-XX:AOTCache=".length()))
                    .findFirst()
                    .orElse("%s"));
            if (args.length > 1 && args[0].equals("exit")) {
              System.exit(Integer.parseInt(args[1]));
            }
          }
        }
        """
            .replace("VERSION", version)
            .replace("%s", NO_CACHE),
        StandardCharsets.UTF_8);
    Path classes = Files.createDirectories(home.resolve("stand-in-classes"));
    int status =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null, null, null, "-d", classes.toString(), src.resolve("StandIn.java").toString());
    assertThat(status).as("javac").isZero();
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "StandIn");
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/library.jar");
    try (OutputStream file = Files.newOutputStream(home.resolve("target/portcullis.jar"));
        JarOutputStream jar = new JarOutputStream(file, manifest)) {
      jar.putNextEntry(new JarEntry("StandIn.class"));
      jar.write(Files.readAllBytes(classes.resolve("StandIn.class")));
      jar.closeEntry();
    }
    Path library = home.resolve("target/lib/library.jar");
    if (!Files.exists(library)) {
      try (OutputStream file = Files.newOutputStream(library);
          JarOutputStream jar = new JarOutputStream(file, new Manifest())) {
        jar.putNextEntry(new JarEntry("library.txt"));
        jar.closeEntry();
      }
    }
  }

  private Run launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", home.resolve("portcullis").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PORTCULLIS_"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    Path out = home.resolve("launcher.out");
    Path err = home.resolve("launcher.err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the launcher did not end: " + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private record Run(int exitCode, String out, String err) {}
}
