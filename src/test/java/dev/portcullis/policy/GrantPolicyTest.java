package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.AgentRef;
import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.testing.Invocations;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The semantics table in GrantPolicy's class comment, row by row. */
class GrantPolicyTest {
  private static final CelConditions CEL = new CelConditions();

  private static Grant grant(String id, String agent, String tools, String when) {
    return new Grant(id, "", List.of(agent), List.of(ToolPattern.compile(tools)),
        Optional.ofNullable(when).map(CEL::compile));
  }

  @Test
  void deniesWhenNoGrantCoversTheCall() {
    GrantPolicy p = new GrantPolicy(List.of(grant("g1", "other", "crm_*", null)), "v1");
    Decision d = p.decide(Invocations.call("agent-a", "crm_get", "{}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.ruleIds()).containsExactly(Decision.DEFAULT_DENY);
    assertThat(d.policyVersion()).isEqualTo("v1");
  }

  @Test
  void deniesWhenEveryCoveringConditionIsFalse() {
    GrantPolicy p = new GrantPolicy(List.of(grant("small", "agent-a", "refund", "args.amount <= 100")), "v1");
    Decision d = p.decide(Invocations.call("agent-a", "refund", "{\"amount\": 150}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.errors()).isEmpty();
  }

  @Test
  void conditionThatErrorsIsSkippedAndRecordedNeverAllows() {
    GrantPolicy p = new GrantPolicy(List.of(grant("small", "agent-a", "refund", "args.amount <= 100")), "v1");
    Decision d = p.decide(Invocations.call("agent-a", "refund", "{\"note\": \"no amount\"}"));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.errors()).singleElement().asString().startsWith("small: ");
  }

  @Test
  void allowsWithTheIdsOfEveryGrantThatHeld() {
    GrantPolicy p = new GrantPolicy(List.of(
        grant("any-read", "agent-a", "crm_*", null),
        grant("small", "agent-a", "crm_get", "args.limit < 10"),
        grant("never", "agent-a", "crm_get", "args.limit > 100")), "v1");
    Decision d = p.decide(Invocations.call("agent-a", "crm_get", "{\"limit\": 5}"));

    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.ruleIds()).containsExactly("any-read", "small");
  }

  @Test
  void comparesIntegersAndDecimalsAlike() {
    GrantPolicy p = new GrantPolicy(List.of(grant("small", "agent-a", "refund", "args.amount <= 100")), "v1");

    assertThat(p.decide(Invocations.call("agent-a", "refund", "{\"amount\": 99.5}")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(p.decide(Invocations.call("agent-a", "refund", "{\"amount\": 100}")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(p.decide(Invocations.call("agent-a", "refund", "{\"amount\": 100.01}")).effect()).isEqualTo(Effect.DENY);
  }

  @Test
  void globMatchesOnlyItsPattern() {
    GrantPolicy p = new GrantPolicy(List.of(grant("g", "agent-a", "crm_*", null)), "v1");
    AgentRef a = new AgentRef("agent-a", "acme", null);

    assertThat(p.mayCall(a, "crm_get")).isTrue();
    assertThat(p.mayCall(a, "crmx")).isFalse();
    assertThat(p.mayCall(a, "x_crm_get")).isFalse();
    assertThat(p.mayCall(new AgentRef("agent-b", "acme", null), "crm_get")).isFalse();
  }

  @Test
  void conditionsSeeAgentAndContext() {
    GrantPolicy p = new GrantPolicy(List.of(
        grant("eu-only", "agent-a", "crm_get", "context.region == 'eu' && agent.tenant == 'acme'")), "v1");
    var eu = Invocations.call(new AgentRef("agent-a", "acme", null), "crm_get",
        Invocations.JSON.createObjectNode(), java.util.Map.of("region", "eu"));
    var us = Invocations.call(new AgentRef("agent-a", "acme", null), "crm_get",
        Invocations.JSON.createObjectNode(), java.util.Map.of("region", "us"));

    assertThat(p.decide(eu).effect()).isEqualTo(Effect.ALLOW);
    assertThat(p.decide(us).effect()).isEqualTo(Effect.DENY);
  }
}
