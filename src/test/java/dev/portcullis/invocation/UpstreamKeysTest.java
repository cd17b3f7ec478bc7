package dev.portcullis.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.testing.Invocations;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Upstream idempotency keys: stable for one call's key, apart for every other agent and tenant. */
class UpstreamKeysTest {
  private static final byte[] KEY = new byte[UpstreamKeys.KEY_BYTES];
  private final UpstreamKeys keys = new UpstreamKeys(KEY);

  private static Invocation call(String tenant, String agent, String key) {
    Invocation inv =
        Invocations.call(
            new AgentRef(agent, tenant, null), "t", Invocations.JSON.readTree("{}"), Map.of());
    return new Invocation(
        inv.invocationId(),
        inv.traceId(),
        inv.requestId(),
        key,
        inv.agent(),
        inv.user(),
        inv.sessionId(),
        inv.channel(),
        inv.toolName(),
        inv.tool(),
        inv.arguments(),
        inv.policyContext(),
        inv.receivedAt(),
        inv.state(),
        inv.decision(),
        null);
  }

  @Test
  void neverSendsTheAgentsKeyAndAlwaysTheSameKeyForIt() {
    String once = keys.forUpstream(call("acme", "bot", "order-7")).orElseThrow();

    assertThat(once)
        .startsWith(UpstreamKeys.PREFIX)
        .doesNotContain("order-7")
        .hasSize(UpstreamKeys.PREFIX.length() + 43);
    assertThat(keys.forUpstream(call("acme", "bot", "order-7"))).contains(once);
    assertThat(new UpstreamKeys(KEY.clone()).forUpstream(call("acme", "bot", "order-7")))
        .contains(once);
  }

  @Test
  void keepsAgentsTenantsAndInstallationsApart() {
    String bot = keys.forUpstream(call("acme", "bot", "k")).orElseThrow();

    assertThat(keys.forUpstream(call("acme", "other-bot", "k")))
        .isPresent()
        .get()
        .isNotEqualTo(bot);
    assertThat(keys.forUpstream(call("globex", "bot", "k"))).isPresent().get().isNotEqualTo(bot);
    byte[] another = KEY.clone();
    another[0] = 1;
    assertThat(new UpstreamKeys(another).forUpstream(call("acme", "bot", "k")))
        .isPresent()
        .get()
        .isNotEqualTo(bot);
  }

  @Test
  void lengthPrefixesKeepBoundariesFromShifting() {
    // "ab" + "c" and "a" + "bc" must not collide.
    assertThat(keys.derive("t", "ab", "c")).isNotEqualTo(keys.derive("t", "a", "bc"));
  }

  @Test
  void aCallWithoutAKeySendsNone() {
    assertThat(keys.forUpstream(call("acme", "bot", null))).isEmpty();
  }
}
