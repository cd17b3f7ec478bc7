package dev.portcullis.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.InvocationIds;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Task ids name one invocation for one agent, and only this installation's key makes them. */
class McpTaskIdsTest {
  private static final AgentRef BILLING = new AgentRef("billing-assistant", "acme", "1");
  private final McpTaskIds ids = new McpTaskIds(McpTaskIds.newKey());
  private final String invocationId = InvocationIds.next(Instant.parse("2026-12-07T10:00:00Z"));

  @Test
  void anIdVerifiesForTheAgentItWasMadeForAndNamesItsInvocation() {
    String id = ids.mint(invocationId, BILLING);

    assertThat(id).startsWith("t1." + invocationId + ".");
    assertThat(McpTaskIds.wellFormed(id)).isTrue();
    assertThat(ids.verify(id, new AgentRef("billing-assistant", "acme", "2")))
        .as("the bundle version is not part of who the agent is")
        .contains(invocationId);
  }

  @Test
  void anotherAgentOrTenantOrInstallationDoesNotVerifyIt() {
    String id = ids.mint(invocationId, BILLING);

    assertThat(ids.verify(id, new AgentRef("support-assistant", "acme", "1"))).isEmpty();
    assertThat(ids.verify(id, new AgentRef("billing-assistant", "globex", "1"))).isEmpty();
    assertThat(new McpTaskIds(McpTaskIds.newKey()).verify(id, BILLING)).isEmpty();
  }

  @Test
  void tenantAndAgentCannotBeShiftedIntoEachOther() {
    String id = ids.mint(invocationId, new AgentRef("c", "ab", "1"));

    assertThat(ids.verify(id, new AgentRef("bc", "a", "1"))).isEmpty();
  }

  @Test
  void anAlteredIdDoesNotVerify() {
    String id = ids.mint(invocationId, BILLING);
    String other = InvocationIds.next(Instant.parse("2026-12-07T10:00:01Z"));
    String mac = id.substring(id.lastIndexOf('.') + 1);

    assertThat(ids.verify("t1." + other + "." + mac, BILLING)).isEmpty();
    // Every other last character, including those a lenient base64 decoder reads as the same
    // bytes: one id, one spelling.
    String stem = id.substring(0, id.length() - 1);
    for (char c :
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray()) {
      if (c != id.charAt(id.length() - 1)) {
        assertThat(ids.verify(stem + c, BILLING)).as(stem + c).isEmpty();
      }
    }
  }

  @Test
  void idsOfAnotherShapeAreMalformedAndVerifyNothing() {
    String id = ids.mint(invocationId, BILLING);

    for (String bad :
        new String[] {
          null, "", "t1", "t2" + id.substring(2), id + "A", id + ".x", " " + id, "x".repeat(300)
        }) {
      assertThat(McpTaskIds.wellFormed(bad)).as(bad).isFalse();
      assertThat(ids.verify(bad, BILLING)).as(bad).isEmpty();
    }
  }

  @Test
  void aShortKeyIsRefused() {
    assertThatThrownBy(() -> new McpTaskIds(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an MCP task key needs at least 32 bytes");
  }
}
