package dev.portcullis.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** The catalog of configured tools plus what each upstream MCP server contributes. */
class LiveCatalogTest {
  private static final Hold QUARANTINED = new Hold(Hold.Kind.QUARANTINED, "changed upstream");
  private static final Hold NOT_APPROVED = new Hold(Hold.Kind.NOT_APPROVED, "not approved yet");

  private static CatalogEntry entry(String name, String connector) {
    ToolDefinition tool =
        new ToolDefinition(
            name,
            null,
            "The " + name + " tool.",
            "1",
            RiskClass.READ,
            connector,
            JsonNodeFactory.instance.objectNode().put("type", "object"),
            false,
            "sha256:" + name);
    return new CatalogEntry(tool, arguments -> List.of());
  }

  private static final CatalogEntry CONFIGURED = entry("crm_lookup", "crm");

  private static List<String> names(Catalog c) {
    return c.entries().stream().map(e -> e.tool().name()).toList();
  }

  @Test
  void aPublishReplacesOnlyThatConnectorsEntriesAndHolds() {
    LiveCatalog catalog = new LiveCatalog(List.of(CONFIGURED));
    catalog.publish(
        "weather",
        List.of(entry("weather.a", "weather"), entry("weather.b", "weather")),
        Map.of("weather.c", NOT_APPROVED));
    catalog.publish("notes", List.of(entry("notes.x", "notes")), Map.of("notes.y", NOT_APPROVED));

    catalog.publish(
        "weather", List.of(entry("weather.a", "weather")), Map.of("weather.d", QUARANTINED));

    assertThat(names(catalog)).containsExactly("crm_lookup", "notes.x", "weather.a");
    assertThat(catalog.find("weather.b")).isEmpty();
    assertThat(catalog.hold("weather.c")).as("the connector's old holds are gone").isEmpty();
    assertThat(catalog.hold("weather.d")).contains(QUARANTINED);
    assertThat(catalog.hold("notes.y")).as("another connector's holds stay").contains(NOT_APPROVED);
    assertThat(catalog.find("notes.x")).isPresent();
    assertThat(catalog.find("crm_lookup")).contains(CONFIGURED);
  }

  @Test
  void aPublishWithNothingRemovesAllThatConnectorContributed() {
    LiveCatalog catalog = new LiveCatalog(List.of(CONFIGURED));
    catalog.publish(
        "weather", List.of(entry("weather.a", "weather")), Map.of("weather.a", QUARANTINED));

    catalog.publish("weather", List.of(), Map.of());

    assertThat(names(catalog)).containsExactly("crm_lookup");
    assertThat(catalog.find("weather.a")).isEmpty();
    assertThat(catalog.hold("weather.a")).isEmpty();
  }

  @Test
  void aHeldToolIsLeftOutOfTheEntriesButStillFound() {
    LiveCatalog catalog = new LiveCatalog(List.of(CONFIGURED));

    catalog.publish(
        "weather",
        List.of(entry("weather.a", "weather"), entry("weather.b", "weather")),
        Map.of("weather.b", QUARANTINED));

    assertThat(names(catalog)).containsExactly("crm_lookup", "weather.a");
    assertThat(catalog.find("weather.b"))
        .as("so a call to it is denied and audited, not unknown")
        .isPresent();
    assertThat(catalog.hold("weather.b")).contains(QUARANTINED);
    assertThat(catalog.hold("weather.a")).isEmpty();
    assertThat(catalog.hold("crm_lookup")).isEmpty();
  }

  @Test
  void anUpstreamCannotPublishAConfiguredToolsName() {
    LiveCatalog catalog = new LiveCatalog(List.of(CONFIGURED));
    catalog.publish("weather", List.of(entry("weather.a", "weather")), Map.of());

    assertThatThrownBy(
            () ->
                catalog.publish(
                    "weather",
                    List.of(entry("weather.b", "weather"), entry("crm_lookup", "weather")),
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tool crm_lookup is already configured");

    assertThat(catalog.find("crm_lookup")).contains(CONFIGURED);
    assertThat(names(catalog))
        .as("the refused publish changed nothing")
        .containsExactly("crm_lookup", "weather.a");
  }

  @Test
  void entriesAreInNameOrder() {
    LiveCatalog catalog = new LiveCatalog(List.of(entry("zeta", "crm"), CONFIGURED));

    catalog.publish(
        "weather", List.of(entry("weather.b", "weather"), entry("weather.a", "weather")), Map.of());

    assertThat(names(catalog)).containsExactly("crm_lookup", "weather.a", "weather.b", "zeta");
  }
}
