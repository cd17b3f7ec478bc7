package dev.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.catalog.Reversal;
import dev.portcullis.testing.RevertConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code before:} and {@code compensate:} on tools: read at load, checked against the catalog,
 * errors located.
 */
class ReversalConfigTest {
  @TempDir Path dir;

  @Test
  void aWriteToolsBeforeAndCompensateAreLoaded() throws Exception {
    GatewayConfig c =
        ConfigLoader.load(
            RevertConfig.write(dir, false), Map.of("ACME_URL", "http://127.0.0.1:1/api"));

    Reversal r = c.reversals().getFirst();
    assertThat(r.tool()).isEqualTo("orders_refund");
    assertThat(r.before().orElseThrow().tool()).isEqualTo("orders_get");
    assertThat(r.compensate().orElseThrow().tool()).isEqualTo("orders_refund_cancel");
    assertThat(r.compensate().orElseThrow().arguments().scopes())
        .containsExactlyInAnyOrder("args", "before", "result");
  }

  @Test
  void anUnknownToolIsALocatedError() throws Exception {
    assertProblem(
        "tool: orders_refund_cancel\n",
        "tool: orders_refund_void\n",
        "tools[1].compensate.tool: no tool named 'orders_refund_void' is in the catalog");
  }

  @Test
  void aBeforeToolThatIsNotAReadIsRefused() throws Exception {
    assertProblem(
        "tool: orders_get\n",
        "tool: orders_refund_cancel\n",
        "tools[1].before.tool: the before-state tool must be of risk read; 'orders_refund_cancel' is write");
  }

  @Test
  void aPlaceholderNamingNoArgumentOfTheDeclaringToolIsRefused() throws Exception {
    assertProblem(
        "orderId: \"{args.orderId}\"}",
        "orderId: \"{args.order}\"}",
        "tools[1].before.arguments.orderId: {args.order}: 'orders_refund' has no argument 'order'");
  }

  @Test
  void beforeStateCannotBeUsedWithoutABeforeDeclarationAndOnlyWritesDeclareEither()
      throws Exception {
    Path config = RevertConfig.write(dir, false);
    String text =
        Files.readString(config)
            .replace(
                "    before:\n      tool: orders_get\n      arguments: {orderId: \"{args.orderId}\"}\n",
                "")
            .replace(
                "risk: read\n",
                "risk: read\n    compensate: {tool: orders_refund_cancel, arguments: {}}\n");
    Files.writeString(config, text, StandardCharsets.UTF_8);

    assertThatThrownBy(
            () -> ConfigLoader.load(config, Map.of("ACME_URL", "http://127.0.0.1:1/api")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "tools[0].compensate: only a tool of risk write may declare before or compensate;"
                + " 'orders_get' is read")
        .hasMessageContaining(
            "tools[1].compensate.arguments.reason: {before.status}: before is not available here")
        .hasMessageContaining("(before.NAME needs a before: declaration)");
  }

  private void assertProblem(String from, String to, String message) throws Exception {
    Path config = RevertConfig.write(dir, false);
    String text = Files.readString(config);
    assertThat(text).contains(from);
    Files.writeString(
        config, text.replaceFirst(java.util.regex.Pattern.quote(from), to), StandardCharsets.UTF_8);
    assertThatThrownBy(
            () -> ConfigLoader.load(config, Map.of("ACME_URL", "http://127.0.0.1:1/api")))
        .isInstanceOf(ConfigException.class)
        .hasMessageMatching(
            "(?s).*portcullis\\.yaml:\\d+: " + java.util.regex.Pattern.quote(message) + ".*");
  }
}
