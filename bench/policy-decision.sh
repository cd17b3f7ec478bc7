#!/usr/bin/env bash
# Builds the test classes and runs the JMH benchmark of one policy decision (RuleEvaluator.decide)
# over synthetic rule sets of 10, 100 and 1,000 rules, with its baselines in the same run. Progress
# (and JMH's own output) goes to stderr; the Markdown table goes to stdout and to
# target/bench/policy-decision-<time>.md.
#
# Knobs (environment variables, defaults in brackets; the defaults take about 3.5 minutes):
#   BENCH_RULES                rule-set sizes, comma-separated                     [10,100,1000]
#   BENCH_INCLUDE              regular expression over the benchmark methods       [.*]
#                              (typicalAllowed, deniedNoPermit, verifiedUser, baselineNoRules,
#                              baselineHashMapGet)
#   BENCH_WARMUP_ITERATIONS    warmup iterations per trial                         [3]
#   BENCH_ITERATIONS           measured iterations per trial                       [5]
#   BENCH_ITERATION_SECONDS    seconds per iteration, warmup and measured          [1]
#   BENCH_FORKS                JVM forks per trial                                 [1]
#   BENCH_SKIP_BUILD=1         reuse target/ as it is
#
# Example: BENCH_RULES=1000 BENCH_INCLUDE=typicalAllowed bench/policy-decision.sh
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -s target/test-classes/META-INF/BenchmarkList ] || {
  echo "error: target/test-classes/META-INF/BenchmarkList is missing: JMH's annotation processor did not run" >&2; exit 1; }

report="$out/policy-decision-$stamp.md"
say "machine: $(nproc) cores; $(uptime | sed 's/^ *//')"
say "running with $("$java_bin" -version 2>&1 | head -1); report: $report"
# JMH forks one JVM per trial from this one's java binary and classpath; the fork's flags are in
# the benchmark's @Fork annotation (the same two as here, and a fixed 1 GiB heap).
"$java_bin" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xms256m -Xmx256m \
  -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  dev.portcullis.bench.PolicyDecisionBenchmark "$report"
say "finished; $(uptime | sed 's/^ *//')"
