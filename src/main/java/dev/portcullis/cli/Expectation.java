package dev.portcullis.cli;

import dev.portcullis.invocation.Decision;
import dev.portcullis.invocation.Effect;
import dev.portcullis.invocation.ShadowDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a policy test expects of one decision. Only {@code effect} is required; {@code rules},
 * {@code errors} (the ids of rules whose condition errored) and {@code logOnly} (each matching
 * log-only rule and its would-be effect) are exact sets when given; {@code reason} is a substring
 * of the agent-safe reason.
 */
record Expectation(
    Effect effect,
    Optional<List<String>> rules,
    Optional<String> reason,
    Optional<List<String>> errors,
    Optional<Map<String, Effect>> logOnly) {

  /** One field whose actual value is not the expected one. */
  record Mismatch(String field, String expected, String actual) {}

  /** Every field of {@code decision} that is not as expected; empty when the case passes. */
  List<Mismatch> diff(Decision decision) {
    List<Mismatch> out = new ArrayList<>();
    if (decision.effect() != effect) {
      out.add(new Mismatch("effect", effect.wireName(), decision.effect().wireName()));
    }
    rules
        .map(Expectation::sorted)
        .filter(expected -> !expected.equals(sorted(decision.ruleIds())))
        .ifPresent(
            expected ->
                out.add(
                    new Mismatch(
                        "rules", expected.toString(), sorted(decision.ruleIds()).toString())));
    reason
        .filter(expected -> !decision.reason().contains(expected))
        .ifPresent(
            expected ->
                out.add(
                    new Mismatch(
                        "reason",
                        "contains \"" + expected + "\"",
                        "\"" + decision.reason() + "\"")));
    List<String> errored = sorted(decision.errors().stream().map(Expectation::ruleIdOf).toList());
    errors
        .map(Expectation::sorted)
        .filter(expected -> !expected.equals(errored))
        .ifPresent(
            expected -> out.add(new Mismatch("errors", expected.toString(), errored.toString())));
    Map<String, String> shadows = new TreeMap<>();
    for (ShadowDecision s : decision.shadows()) {
      shadows.put(s.ruleId(), s.wouldBe().wireName());
    }
    logOnly
        .map(Expectation::wireNames)
        .filter(expected -> !expected.equals(shadows))
        .ifPresent(
            expected -> out.add(new Mismatch("logOnly", expected.toString(), shadows.toString())));
    return out;
  }

  /** A decision's error reads "rule-id: message"; rule ids never contain ':'. */
  private static String ruleIdOf(String error) {
    int colon = error.indexOf(':');
    return colon < 0 ? error : error.substring(0, colon);
  }

  private static List<String> sorted(List<String> ids) {
    return ids.stream().sorted().toList();
  }

  private static Map<String, String> wireNames(Map<String, Effect> effects) {
    Map<String, String> out = new TreeMap<>();
    effects.forEach((rule, e) -> out.put(rule, e.wireName()));
    return out;
  }
}
