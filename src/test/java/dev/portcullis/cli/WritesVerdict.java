package dev.portcullis.cli;

import dev.portcullis.testing.PaymentsUpstream;
import dev.portcullis.testing.ServeProcess;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;

/**
 * What {@link CrashUnderLoadTest} and {@link ThreeNodesUnderLoadTest} hold {@link RetryingWriters}
 * and the upstream to once the gateways have been killed: every key has a final answer, refused
 * exactly when forbidden, which the store agrees with; every write the upstream executed carries
 * the derived key of a call the writers made, and none more than once; a keyed call was sent at
 * most twice (once, and once on recovery); a completed call reached the upstream exactly once and a
 * refused one never. {@link CrashUnderLoadTest} explains why these are the strict forms.
 */
final class WritesVerdict {
  final Map<String, RetryingWriters.Key> keys;
  final Map<String, RetryingWriters.Answer> answers;

  /** Per final answer's key, the state {@code GET /v1/invocations/{id}} shows. */
  final Map<String, String> stored = new TreeMap<>();

  /** Per agent key, the upstream keys of its executed writes. */
  final Map<String, List<String>> reached = new TreeMap<>();

  /** Executed writes without the derived key of a call the writers made. */
  final List<PaymentsUpstream.Write> strays = new ArrayList<>();

  /** Per agent key, how many times a gateway sent its keyed call. */
  final Map<String, Long> keyedSends;

  final Map<RetryingWriters.Kind, Long> tally;

  /** Reads the writers' answers, the store (through {@code serving}) and the upstream's record. */
  WritesVerdict(RetryingWriters writers, ServeProcess serving, PaymentsUpstream upstream)
      throws InterruptedException {
    keys = writers.keys();
    answers = writers.answers();
    for (RetryingWriters.Answer a : answers.values()) {
      if (a.isFinal()) {
        stored.put(a.key(), writers.storedState(serving, a.invocationId()).orElse("(unreadable)"));
      }
    }
    for (PaymentsUpstream.Write w : upstream.writes()) {
      if (w.idempotencyKey() != null
          && w.idempotencyKey().startsWith("pcl1-")
          && keys.containsKey(w.reference())) {
        reached.computeIfAbsent(w.reference(), k -> new ArrayList<>()).add(w.idempotencyKey());
      } else {
        strays.add(w);
      }
    }
    keyedSends =
        upstream.keyedRequests().stream()
            .filter(w -> w.reference() != null)
            .collect(
                Collectors.groupingBy(PaymentsUpstream.Write::reference, Collectors.counting()));
    tally =
        answers.values().stream()
            .collect(
                Collectors.groupingBy(
                    RetryingWriters.Answer::kind,
                    () -> new EnumMap<>(RetryingWriters.Kind.class),
                    Collectors.counting()));
  }

  long count(RetryingWriters.Kind kind) {
    return tally.getOrDefault(kind, 0L);
  }

  /** Asserts every rule above into {@code soft}; {@code run} names the run (its seed). */
  void check(SoftAssertions soft, String run) {
    soft.assertThat(keys.values())
        .as("keys without a final answer" + run)
        .filteredOn(k -> answers.get(k.name()) == null || !answers.get(k.name()).isFinal())
        .extracting(k -> k.name() + ": " + answers.get(k.name()))
        .isEmpty();
    soft.assertThat(keys.values())
        .as("keys refused though allowed, or allowed though forbidden" + run)
        .filteredOn(k -> answers.get(k.name()) != null && answers.get(k.name()).isFinal())
        .filteredOn(
            k -> (answers.get(k.name()).kind() == RetryingWriters.Kind.REFUSED) != k.forbidden())
        .extracting(k -> k.name() + " (amount " + k.amount() + "): " + answers.get(k.name()))
        .isEmpty();
    soft.assertThat(answers.values())
        .as("answers the stored invocation disagrees with" + run)
        .filteredOn(RetryingWriters.Answer::isFinal)
        .filteredOn(a -> !a.kind().storedState().equals(stored.get(a.key())))
        .extracting(a -> a.key() + ": answered " + a + " but stored " + stored.get(a.key()))
        .isEmpty();
    soft.assertThat(strays)
        .as("upstream writes without the derived key of a call the writers made" + run)
        .isEmpty();
    soft.assertThat(reached.entrySet())
        .as("keys whose write the upstream executed more than once" + run)
        .filteredOn(e -> e.getValue().size() > 1)
        .extracting(
            e ->
                e.getKey()
                    + " executed "
                    + e.getValue().size()
                    + "x, under "
                    + Set.copyOf(e.getValue())
                    + "; answered "
                    + answers.get(e.getKey()))
        .isEmpty();
    soft.assertThat(keyedSends.entrySet())
        .as("keyed calls a gateway sent more than twice (once, and once on recovery)" + run)
        .filteredOn(e -> e.getValue() > 2)
        .isEmpty();
    soft.assertThat(reached.values().stream().flatMap(List::stream).distinct().count())
        .as("distinct upstream keys: one per agent key" + run)
        .isEqualTo(reached.size());
    soft.assertThat(answers.values())
        .as("completed calls that did not reach the upstream exactly once" + run)
        .filteredOn(a -> a.kind() == RetryingWriters.Kind.COMPLETED)
        .filteredOn(a -> reached.getOrDefault(a.key(), List.of()).size() != 1)
        .extracting(RetryingWriters.Answer::key)
        .isEmpty();
    soft.assertThat(answers.values())
        .as("refused calls that reached the upstream" + run)
        .filteredOn(a -> a.kind() == RetryingWriters.Kind.REFUSED && reached.containsKey(a.key()))
        .extracting(RetryingWriters.Answer::key)
        .isEmpty();
  }
}
