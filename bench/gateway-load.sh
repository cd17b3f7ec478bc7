#!/usr/bin/env bash
# Builds what the gateway load benchmark needs and runs it: the Acme sample read directly, then
# through the gateway's REST and MCP doors, then stage-timed runs and probes. Progress goes to
# stderr; the Markdown report goes to stdout and to target/bench/gateway-load-<time>.md.
#
# Knobs (environment variables, defaults in brackets; the defaults take about 3 minutes):
#   BENCH_CONCURRENCY               client counts to run, comma-separated   [1,16]
#   BENCH_JIT_WARMUP_SECONDS        gateway traffic before anything counts  [20]
#   BENCH_WARMUP_SECONDS            warmup per scenario                     [3]
#   BENCH_SECONDS                   measured window per scenario            [10]
#   BENCH_BREAKDOWN_WARMUP_SECONDS  warmup per stage-timed run              [2]
#   BENCH_BREAKDOWN_SECONDS         measured window per stage-timed run     [5]
#   BENCH_PROBE_SECONDS             per single-threaded probe               [2]
#   BENCH_PARTS                     some of direct,rest,mcp,separate,        [all]
#                                   breakdown,probes (separate: REST with a
#                                   transaction per state write, the baseline
#                                   for group commit)
#   BENCH_MAX_REQUESTS              cap per phase (warmup, measured)        [1000000]
#   BENCH_WORK_DIR                  data directories (deleted at the end)   [target/bench/run-<time>]
#   BENCH_KEEP_DATA=1               keep them
#   BENCH_JFR=1                     also record target/bench/gateway-load-<time>.jfr and print
#                                   where the CPU went in each measured window (JfrCpuBreakdown)
#   BENCH_HEAP                      -Xms/-Xmx of the benchmark JVM          [1g]
#   BENCH_SKIP_BUILD=1              reuse target/ as it is
#
# Example: BENCH_CONCURRENCY=1,8 BENCH_SECONDS=20 bench/gateway-load.sh
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

jvm_opts=(
  --enable-native-access=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow
  "-Xms${BENCH_HEAP:-1g}" "-Xmx${BENCH_HEAP:-1g}"
)
jfr="$out/gateway-load-$stamp.jfr"
if [ "${BENCH_JFR:-0}" = "1" ]; then
  # CPU-time sampling (JDK 25, Linux) counts native and kernel time too: SQLite, fsync, sockets.
  jvm_opts+=("-XX:StartFlightRecording=filename=$jfr,settings=profile,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=5ms"
            "-Xlog:jfr+startup=off")
  say "recording JFR to $jfr"
fi

report="$out/gateway-load-$stamp.md"
say "machine: $(nproc) cores; $(uptime | sed 's/^ *//')"
say "running with $("$java_bin" -version 2>&1 | head -1); report: $report"
"$java_bin" "${jvm_opts[@]}" \
  -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  dev.portcullis.bench.GatewayLoadBenchmark | tee "$report"
if [ "${BENCH_JFR:-0}" = "1" ]; then
  say "CPU by bucket per measured window, from $jfr"
  { echo; echo "### CPU profile (JFR)"; echo
    "$java_bin" -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
      dev.portcullis.bench.JfrCpuBreakdown "$jfr"; } | tee -a "$report"
fi
say "finished; $(uptime | sed 's/^ *//')"
