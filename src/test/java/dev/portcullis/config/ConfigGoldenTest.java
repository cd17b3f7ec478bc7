package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: each example configuration and its normalised form, and each invalid file and the
 * exact problems it gives, lines included. Regenerate with {@code -Dgolden.update=true} and review
 * the diff.
 */
class ConfigGoldenTest {
  private static final Path DIR = Path.of("src/test/resources/config");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static Stream<Path> invalidFiles() throws IOException {
    try (Stream<Path> files = Files.list(DIR.resolve("invalid"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  private static void assertGolden(Path golden, String actual) throws IOException {
    if (UPDATE || !Files.exists(golden)) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }

  @Test
  void demoConfigurationNormalisesToItsGoldenForm() throws Exception {
    GatewayConfig config = ConfigLoader.load(Path.of("examples/demo/portcullis.yaml"), Map.of());

    assertGolden(DIR.resolve("demo.normalized.json"), NormalizedConfig.render(config));
  }

  @Test
  void minimalConfigurationFillsEveryDefault() throws Exception {
    GatewayConfig config = ConfigLoader.load(DIR.resolve("minimal.yaml"), Map.of());

    assertGolden(DIR.resolve("minimal.normalized.json"), NormalizedConfig.render(config));
  }

  @Test
  void aPostgresStoreNormalisesWithItsPasswordAsAReference() throws Exception {
    GatewayConfig config = ConfigLoader.load(DIR.resolve("store-postgres.yaml"), Map.of());

    assertGolden(DIR.resolve("store-postgres.normalized.json"), NormalizedConfig.render(config));
  }

  @Test
  void sqlConnectorAndItsToolBindingsNormalise() throws Exception {
    GatewayConfig config = ConfigLoader.load(DIR.resolve("sql.yaml"), Map.of());

    assertGolden(DIR.resolve("sql.normalized.json"), NormalizedConfig.render(config));
  }

  @Test
  void slackAndSmtpConnectorsAndTheirToolBindingsNormalise() throws Exception {
    GatewayConfig config = ConfigLoader.load(DIR.resolve("chat-mail.yaml"), Map.of());

    assertGolden(DIR.resolve("chat-mail.normalized.json"), NormalizedConfig.render(config));
  }

  @Test
  void openApiOperationsImportAsToolsWithEveryDefault() throws Exception {
    GatewayConfig config = ConfigLoader.load(DIR.resolve("openapi.yaml"), Map.of());

    assertGolden(DIR.resolve("openapi.normalized.json"), NormalizedConfig.render(config));
  }

  @Test
  void mcpUpstreamsAndTheirToolsNormalise() throws Exception {
    GatewayConfig config = ConfigLoader.load(DIR.resolve("mcp.yaml"), Map.of());

    assertGolden(DIR.resolve("mcp.normalized.json"), NormalizedConfig.render(config));
  }

  @Test
  void notificationChannelsNormaliseWithReferencesAndDefaults() throws Exception {
    GatewayConfig config = ConfigLoader.load(DIR.resolve("notify.yaml"), Map.of());

    assertGolden(DIR.resolve("notify.normalized.json"), NormalizedConfig.render(config));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void invalidConfigurationNamesEveryProblemWithItsLine(Path file) throws Exception {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));

    assertThat(e).as("%s must not load", file).isNotNull();
    String name = file.getFileName().toString().replace(".yaml", ".expected");
    assertGolden(file.resolveSibling(name), String.join("\n", e.problems()) + "\n");
  }

  @Test
  void hashIsOfTheEffectiveTextSoAChangedVariableChangesIt() throws Exception {
    Path demo = Path.of("examples/demo/portcullis.yaml");
    String a = ConfigLoader.load(demo, Map.of("ACME_URL", "http://127.0.0.1:1/api")).hash();
    String b = ConfigLoader.load(demo, Map.of("ACME_URL", "http://127.0.0.1:2/api")).hash();

    assertThat(a).isNotEqualTo(b).hasSize(64);
  }

  @Test
  void unknownArgumentsAreRefusedUnlessTheSchemaSaysOtherwise() throws Exception {
    GatewayConfig config = ConfigLoader.load(DIR.resolve("minimal.yaml"), Map.of());
    var schema = config.tools().getFirst().schema();
    var json = tools.jackson.databind.json.JsonMapper.builder().build();

    assertThat(schema.violations(json.readTree("{\"id\":\"1\"}"))).isEmpty();
    assertThat(schema.violations(json.readTree("{\"id\":\"1\",\"admin\":true}")))
        .singleElement()
        .asString()
        .contains("admin");
  }
}
