package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.catalog.CatalogEntry;
import dev.portcullis.policy.ToolFacts;
import dev.portcullis.testing.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an imported document changes: descriptor hashes, the configuration hash, policy facts. */
class OpenApiImportTest {
  private static final Path CONFIG = Path.of("src/test/resources/config");

  @TempDir Path dir;

  @BeforeEach
  void copy() throws Exception {
    Files.createDirectories(dir.resolve("openapi"));
    Files.createDirectories(dir.resolve("openapi-policies"));
    for (String f :
        List.of(
            "openapi.yaml",
            "openapi/petstore.yaml",
            "openapi/inventory.json",
            "openapi-policies/pets.yaml")) {
      Files.copy(CONFIG.resolve(f), dir.resolve(f));
    }
  }

  private GatewayConfig load() throws Exception {
    return ConfigLoader.load(dir.resolve("openapi.yaml"), Map.of());
  }

  private static Map<String, String> hashes(GatewayConfig c) {
    return c.tools().stream()
        .collect(Collectors.toMap(e -> e.tool().name(), e -> e.tool().descriptorHash()));
  }

  private void edit(String from, String to) throws Exception {
    Path doc = dir.resolve("openapi/petstore.yaml");
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    assertThat(text).contains(from);
    Files.writeString(doc, text.replace(from, to), StandardCharsets.UTF_8);
  }

  @Test
  void aChangedOperationChangesItsDescriptorHashAndTheConfigurationHash() throws Exception {
    GatewayConfig before = load();

    edit("schema: {type: integer, format: int64, minimum: 1}", "schema: {type: string}");
    GatewayConfig after = load();

    assertThat(hashes(after).get("pets.getPet")).isNotEqualTo(hashes(before).get("pets.getPet"));
    assertThat(hashes(after).get("pets.listPets"))
        .as("an operation the edit does not touch keeps its pin")
        .isEqualTo(hashes(before).get("pets.listPets"));
    assertThat(after.hash()).isNotEqualTo(before.hash());
  }

  @Test
  void aDocumentChangeNoToolSeesStillChangesTheConfigurationHash() throws Exception {
    GatewayConfig before = load();

    edit("version: 1.4.0", "version: 1.5.0");
    GatewayConfig after = load();

    assertThat(hashes(after)).isEqualTo(hashes(before));
    assertThat(after.hash()).isNotEqualTo(before.hash());
  }

  @Test
  void configCheckCountsAndPrintsTheImportedTools() throws Exception {
    CliRun check = CliRun.of("config", "check", "--config", dir.resolve("openapi.yaml").toString());
    CliRun print =
        CliRun.of("config", "check", "--config", dir.resolve("openapi.yaml").toString(), "--print");

    assertThat(check.exitCode()).as(check.err()).isZero();
    assertThat(check.out()).contains("(6 tools, 1 agents, 2 connectors");
    assertThat(print.out())
        .contains(
            "\"name\" : \"pets.getPet\"",
            "\"name\" : \"stock.update-item\"",
            "\"path\" : \"/pets/{petId}\"");
  }

  @Test
  void policyFactsNameTheGeneratedArgumentsAndRisk() throws Exception {
    Map<String, ToolFacts> facts =
        ConfigLoader.toolFacts(load().tools()).stream()
            .collect(Collectors.toMap(ToolFacts::name, Function.identity()));

    assertThat(facts.get("pets.add_pet").argumentNames())
        .containsExactlyInAnyOrder("name", "species", "tag", "owner");
    assertThat(facts.get("pets.add_pet").risk()).isEqualTo("write");
    assertThat(facts.get("pets.listPets").risk()).isEqualTo("read");
    assertThat(facts.get("stock.update-item").argumentNames())
        .containsExactlyInAnyOrder("sku", "dryRun", "stock", "note");
  }

  @Test
  void importedSchemasRefuseWhatTheDocumentDoesNotAllow() throws Exception {
    CatalogEntry update =
        load().tools().stream()
            .filter(e -> e.tool().name().equals("stock.update-item"))
            .findFirst()
            .orElseThrow();
    var json = tools.jackson.databind.json.JsonMapper.builder().build();

    assertThat(
            update
                .schema()
                .violations(json.readTree("{\"sku\":\"A-1\",\"stock\":3,\"note\":null}")))
        .isEmpty();
    assertThat(update.schema().violations(json.readTree("{\"sku\":\"a 1\",\"stock\":-1}")))
        .hasSize(2);
    assertThat(update.schema().violations(json.readTree("{\"stock\":1}")))
        .singleElement()
        .asString()
        .contains("sku");
  }
}
