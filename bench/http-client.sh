#!/usr/bin/env bash
# Builds the test classes and runs the HTTP-client benchmark: the CPU time one outbound call costs
# the calling JVM with the JDK's java.net.http client (as the HTTP connector used it, and with a
# direct executor), Apache HttpClient 5 classic, and the HTTP connector itself, against Acme in a
# process of its own, from virtual and platform threads, at 1 and 16 clients, in repeated rounds.
# Progress goes to stderr; the Markdown report goes to stdout and to
# target/bench/http-client-<time>.md.
#
# Knobs (environment variables, defaults in brackets; the defaults take about 6 minutes):
#   BENCH_CLIENTS              some of jdk,jdk-direct,apache,connector          [all four]
#   BENCH_THREADS              virtual and/or platform                          [virtual,platform]
#   BENCH_CONCURRENCY          client counts, comma-separated                   [1,16]
#   BENCH_ROUNDS               times every row is measured (the spread)         [3]
#   BENCH_JIT_WARMUP_SECONDS   traffic per client before the rounds             [5]
#   BENCH_WARMUP_SECONDS       warmup per window                                [2]
#   BENCH_SECONDS              measured window                                  [5]
#   BENCH_MAX_REQUESTS         cap per window                                   [2000000]
#   BENCH_WORK_DIR             Acme's data directory and log                    [target/bench/http-client-run]
#   BENCH_HEAP                 -Xms/-Xmx of the benchmark JVM                   [512m]
#   BENCH_SKIP_BUILD=1         reuse target/ as it is
#
# Example: BENCH_CLIENTS=jdk,apache BENCH_THREADS=virtual BENCH_ROUNDS=5 bench/http-client.sh
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

report="$out/http-client-$stamp.md"
say "machine: $(nproc) cores; $(uptime | sed 's/^ *//')"
say "running with $("$java_bin" -version 2>&1 | head -1); report: $report"
# Acme runs from the same classpath in a JVM of its own (its CPU is not counted).
"$java_bin" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  "-Xms${BENCH_HEAP:-512m}" "-Xmx${BENCH_HEAP:-512m}" \
  -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  dev.portcullis.bench.HttpClientBenchmark "$report"
say "finished; $(uptime | sed 's/^ *//')"
