package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a condition's load checks and reports: attributes that exist, and arguments read unguarded.
 */
class CelConditionsTest {
  private static final CelConditions CEL = new CelConditions();
  private static final Set<String> ARGS = Set.of("amount", "order");

  @Test
  void aConditionKeepsItsSource() {
    assertThat(CEL.compile("args.amount > 5", ARGS).source()).isEqualTo("args.amount > 5");
  }

  @Test
  void anUnknownAttributeFailsTheLoadWhetherSelectedOrIndexed() {
    assertThatThrownBy(() -> CEL.compile("user.email == 'x'", ARGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown attribute user.email (args.* must be an argument of a tool the rule is about)");
    assertThatThrownBy(() -> CEL.compile("tool['owner'] == 'x' || args.refund > 1", ARGS))
        .hasMessage(
            "unknown attributes args.refund, tool.owner"
                + " (args.* must be an argument of a tool the rule is about)");
    assertThatThrownBy(() -> CEL.compile("args['total'] > 1", ARGS))
        .hasMessageStartingWith("unknown attribute args.total ");
  }

  @Test
  void everyDocumentedAttributeAndTheToolsArgumentsLoad() {
    for (var entry : CelConditions.ATTRIBUTES.entrySet()) {
      for (String field : entry.getValue()) {
        String selected =
            entry.getKey() + "." + field + " == " + entry.getKey() + "['" + field + "']";
        assertThat(CEL.compile(selected, ARGS).source()).isEqualTo(selected);
      }
    }
    assertThat(CEL.compile("args.amount > 1 && args['order'] == 'o'", ARGS)).isNotNull();
  }

  @Test
  void argumentsOfAToolWhoseArgumentsAreUnknownAreNotCheckedAtLoad() {
    assertThat(CEL.compile("args.anything > 1", null).unguardedArguments())
        .containsExactly("anything");
  }

  @Test
  void anExpressionThatDoesNotCompileFailsTheLoad() {
    assertThatThrownBy(() -> CEL.compile("args.amount >", ARGS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void argumentsReadWithoutATestAreUnguarded() {
    assertThat(CEL.compile("args.amount > 5", ARGS).unguardedArguments()).containsExactly("amount");
    assertThat(CEL.compile("args['amount'] > 5", ARGS).unguardedArguments())
        .containsExactly("amount");
    assertThat(CEL.compile("args.amount > 5 && args.order == 'o'", ARGS).unguardedArguments())
        .containsExactlyInAnyOrder("amount", "order");
  }

  @Test
  void argumentsTestedByHasOrInAreGuarded() {
    assertThat(CEL.compile("has(args.amount) && args.amount > 5", ARGS).unguardedArguments())
        .isEmpty();
    assertThat(CEL.compile("'amount' in args && args['amount'] > 5", ARGS).unguardedArguments())
        .isEmpty();
    assertThat(CEL.compile("has(args.amount) && args.order == 'o'", ARGS).unguardedArguments())
        .containsExactly("order");
  }

  @Test
  void onlyTheArgsVariableAndStringKeysCount() {
    assertThat(
            CEL.compile("user.id == 'bob' && 'finance' in user.roles", ARGS).unguardedArguments())
        .isEmpty();
    assertThat(CEL.compile("[1, 2][0] == 1 && {'a': 1}['a'] == 1", ARGS).unguardedArguments())
        .isEmpty();
    assertThat(CEL.compile("'amount' in ['amount'] && args.amount > 1", ARGS).unguardedArguments())
        .containsExactly("amount");
    assertThat(CEL.compile("1 in [1] && args.order == 'o'", ARGS).unguardedArguments())
        .containsExactly("order");
  }
}
