package dev.portcullis.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.invocation.NodeSignals;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApprovalSignalsTest {
  private final ApprovalSignals signals = new ApprovalSignals();

  @Test
  void decisionWakesOnlyTheListenersOfThatInvocation() {
    List<String> woken = new ArrayList<>();
    ApprovalSignals.Subscription a = signals.onDecided("inv-a", () -> woken.add("a"));
    ApprovalSignals.Subscription b = signals.onDecided("inv-b", () -> woken.add("b"));

    signals.decided("inv-a");
    a.close();
    b.close();

    assertThat(woken).containsExactly("a");
  }

  @Test
  void closedSubscriptionIsForgottenAndNoLongerWoken() {
    List<String> woken = new ArrayList<>();
    ApprovalSignals.Subscription first = signals.onDecided("inv", () -> woken.add("first"));
    ApprovalSignals.Subscription second = signals.onDecided("inv", () -> woken.add("second"));

    first.close();
    signals.decided("inv");
    second.close();

    assertThat(woken).containsExactly("second");
    assertThat(signals.watched()).isZero();
  }

  @Test
  void failingListenerDoesNotKeepOthersFromBeingWoken() {
    List<String> woken = new ArrayList<>();
    signals.onDecided(
        "inv",
        () -> {
          throw new IllegalStateException("boom");
        });
    signals.onDecided("inv", () -> woken.add("good"));

    signals.decided("inv");

    assertThat(woken).containsExactly("good");
  }

  @Test
  void aDecisionHereIsSentToTheOtherNodesAndOneThereWakesTheWaitersHere() {
    List<String> sent = new ArrayList<>();
    NodeSignals nodes =
        new NodeSignals() {
          @Override
          public void send(Signal signal) {
            sent.add(signal.payload());
          }

          @Override
          public Subscription listen(Listener listener) {
            return () -> {};
          }

          @Override
          public boolean crossesNodes() {
            return true;
          }
        };
    ApprovalSignals shared = new ApprovalSignals(nodes);
    List<String> woken = new ArrayList<>();
    ApprovalSignals.Subscription s = shared.onDecided("inv-a", () -> woken.add("a"));

    shared.decided("inv-a");
    shared.decidedElsewhere("inv-a");
    s.close();

    assertThat(sent).as("sent once, for the decision taken here").containsExactly("approval:inv-a");
    assertThat(woken).containsExactly("a", "a");
  }
}
