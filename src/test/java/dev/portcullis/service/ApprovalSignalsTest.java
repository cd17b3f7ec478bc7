package dev.portcullis.service;

import static org.assertj.core.api.Assertions.assertThat;

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
}
