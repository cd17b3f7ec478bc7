package dev.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.catalog.Hold;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an operator does with upstream MCP tools in tests: review and approve through the real CLI.
 */
public final class UpstreamApprovals {
  private static final Pattern FINGERPRINT = Pattern.compile("--fingerprint (sha256:[0-9a-f]{64})");

  private UpstreamApprovals() {}

  /** {@code tools diff TOOL} for the gateway's configuration and data directory. */
  public static CliRun diff(Path config, Path data, String tool) {
    return CliRun.of(
        "tools", "diff", tool, "--config", config.toString(), "--data", data.toString());
  }

  /** The fingerprint {@code tools diff} asks the operator to approve. */
  public static String fingerprint(CliRun diff) {
    Matcher m = FINGERPRINT.matcher(diff.out());
    assertThat(m.find()).as(diff.out() + diff.err()).isTrue();
    return m.group(1);
  }

  /**
   * Reviews and approves {@code tool} as alice, and lets the running gateway read the approval now.
   */
  public static void approve(GatewayFixture gateway, Path config, String tool) {
    Path data = gateway.dataDir();
    CliRun approve =
        CliRun.of(
            "tools",
            "approve",
            tool,
            "--fingerprint",
            fingerprint(diff(config, data, tool)),
            "--by",
            "alice",
            "--config",
            config.toString(),
            "--data",
            data.toString());
    assertThat(approve.exitCode()).as(approve.err()).isZero();
    try {
      gateway.assembly().upstreamTools().reloadPins();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits (at most 20 s) for the upstream's change notification to put {@code tool} on hold. */
  public static void awaitHold(GatewayFixture gateway, String tool, Hold.Kind kind)
      throws InterruptedException {
    awaitHold(gateway, tool, kind, "");
  }

  /**
   * Waits (at most 20 s) for {@code tool} to be on hold of {@code kind} for a reason containing
   * {@code reason}. An upstream that replaces a tool may be listed between the removal and the
   * addition: the tool is then held first as no longer offered, and only at the next listing as
   * changed.
   */
  public static void awaitHold(GatewayFixture gateway, String tool, Hold.Kind kind, String reason)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Optional<Hold> hold = Optional.empty();
    while (System.nanoTime() < deadline) {
      hold = gateway.assembly().catalog().hold(tool);
      if (hold.isPresent() && hold.get().kind() == kind && hold.get().reason().contains(reason)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        tool + " was not " + kind + " for '" + reason + "' within 20 s (last: " + hold + ")");
  }
}
