package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files for invalid policy files, checked against the minimal configuration's catalog (tool
 * {@code get_thing} with argument {@code id}, agent {@code bot}): each gives exactly the problems
 * in its {@code .expected} file, lines included. Regenerate with {@code -Dgolden.update=true}.
 */
class PolicyGoldenTest {
  private static final Path DIR = Path.of("src/test/resources/policy/invalid");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<Path> invalidFiles() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void invalidPolicyNamesEveryProblemWithItsFileAndLine(Path file) throws Exception {
    GatewayConfig minimal =
        ConfigLoader.load(Path.of("src/test/resources/config/minimal.yaml"), Map.of());
    PolicyLoader loader = PolicyLoader.of(minimal);

    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> loader.load(List.of(file)));

    assertThat(e).as("%s must not load", file).isNotNull();
    Path golden = file.resolveSibling(file.getFileName().toString().replace(".yaml", ".expected"));
    String actual = String.join("\n", e.problems()) + "\n";
    if (UPDATE || !Files.exists(golden)) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }
}
