package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portcullis.catalog.CatalogEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Connector packs in a configuration: what they load, and that their tools get the checks and
 * hashes of any tool.
 */
class PackSectionTest {
  private static final Path DIR = Path.of("src/test/resources/config");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String HEAD =
      """
      apiVersion: portcullis.dev/v1alpha1
      kind: Gateway
      agents:
        - id: bot
          keys: [sha256:1111111111111111111111111111111111111111111111111111111111111111]
      connectors:
        - name: jira
          type: http
          baseUrl: https://example.atlassian.net
      tools:
      """;

  @TempDir Path dir;

  private GatewayConfig load(String tools) throws Exception {
    Path file = dir.resolve("portcullis.yaml");
    Files.writeString(file, HEAD + tools, StandardCharsets.UTF_8);
    return ConfigLoader.load(file, Map.of());
  }

  private static CatalogEntry tool(GatewayConfig c, String name) {
    return c.tools().stream().filter(e -> e.tool().name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void configurationUsingAllFourPacksNormalisesToItsGoldenForm() throws Exception {
    GatewayConfig config = ConfigLoader.load(DIR.resolve("packs.yaml"), Map.of());
    String actual = NormalizedConfig.render(config);

    Path golden = DIR.resolve("packs.normalized.json");
    if (UPDATE || !Files.exists(golden)) {
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    assertThat(config.tools()).hasSize(18);
  }

  @Test
  void loadsOnlyTheToolsItIncludes() throws Exception {
    GatewayConfig config =
        load(
            """
          - pack: jira-cloud
            connector: jira
            include: [jira.issue_get]
        """);

    assertThat(config.tools()).extracting(e -> e.tool().name()).containsExactly("jira.issue_get");
    assertThat(((HttpConnectorSpec) config.connectors().getFirst()).operations())
        .containsOnlyKeys("jira.issue_get");
  }

  @Test
  void aPackToolHashesLikeTheSameToolWrittenInTheConfiguration() throws Exception {
    ObjectNode inline;
    try (InputStream in = PackSection.class.getResourceAsStream("/packs/jira-cloud.yaml")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      inline = ((ObjectNode) LocatedYaml.parse(text).root().at("/tools/0")).deepCopy();
    }
    inline.put("connector", "jira");

    GatewayConfig fromPack =
        load(
            """
          - pack: jira-cloud
            connector: jira
            include: [jira.issue_get]
        """);
    GatewayConfig written = load("  - " + JSON.writeValueAsString(inline) + "\n");

    assertThat(tool(fromPack, "jira.issue_get").tool())
        .isEqualTo(tool(written, "jira.issue_get").tool());
  }

  @Test
  void anOverrideIsPartOfTheDescriptorHash() throws Exception {
    String plain =
        tool(
                load(
                    """
          - pack: jira-cloud
            connector: jira
            include: [jira.issue_get]
        """),
                "jira.issue_get")
            .tool()
            .descriptorHash();
    GatewayConfig overridden =
        load(
            """
          - pack: jira-cloud
            connector: jira
            include: [jira.issue_get]
            overrides:
              jira.issue_get: {risk: write, result: {fields: [/key]}}
        """);

    assertThat(tool(overridden, "jira.issue_get").tool().descriptorHash()).isNotEqualTo(plain);
    assertThat(tool(overridden, "jira.issue_get").tool().risk().wireName()).isEqualTo("write");
  }

  @Test
  void aPackToolNamedLikeAnEarlierToolIsReportedAtItsIncludeLine() throws IOException {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                load(
                    """
          - name: jira.issue_get
            description: Mine.
            risk: read
            connector: jira
            http: {method: GET, path: /x}
            inputSchema: {type: object}
          - pack: jira-cloud
            connector: jira
            include:
              - jira.issue_search
              - jira.issue_get
        """));

    assertThat(e.problems())
        .containsExactly(
            "portcullis.yaml:21: tools[1].include[1]: tool 'jira.issue_get' is defined twice");
  }

  @Test
  void everyBundledPackLoadsWithAllItsTools() throws Exception {
    for (String pack : PackSection.PACKS) {
      List<String> names;
      try (InputStream in = PackSection.class.getResourceAsStream("/packs/" + pack + ".yaml")) {
        var root = LocatedYaml.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)).root();
        names = root.path("tools").valueStream().map(t -> t.path("name").asString()).toList();
      }
      GatewayConfig c =
          load(
              "  - pack: "
                  + pack
                  + "\n    connector: jira\n    include: "
                  + JSON.writeValueAsString(names)
                  + "\n");

      assertThat(c.tools())
          .as(pack)
          .extracting(e -> e.tool().name())
          .containsExactlyElementsOf(names);
      assertThat(c.tools())
          .as(pack)
          .allSatisfy(
              e ->
                  assertThat(e.tool().risk().wireName())
                      .isEqualTo(
                          e.tool()
                                  .name()
                                  .matches(
                                      ".*_(get|search|list|find_by_name|find_by_email|contacts)$")
                              ? "read"
                              : "write"));
    }
  }
}
