#!/usr/bin/env bash
# The gateway against its upstream, call kind by call kind, with the gateway and the upstream each
# in a process of its own (the default) or all in one JVM. Builds what it needs, then runs
# dev.portcullis.bench.GatewayScenariosBenchmark: progress on stderr, the Markdown report on stdout
# and in target/bench/gateway-scenarios-<time>.md. Reports; asserts nothing.
#
# Workloads, each through Acme directly (the baseline), the REST door and the MCP door:
#   read       crm_get_customer (allowed read)
#   write      tickets_create, priority normal (allowed write)
#   denied     tickets_create, priority urgent (denied by policy; no direct baseline)
#   fresh-key  tickets_create with a never-seen idempotency key per call
# Per run: closed loop at each client count; open loop at a fixed arrival rate (latency measured
# from when each request was due, so free of coordinated omission); CPU per call of the gateway
# process, the upstream process and the load generator; database + WAL bytes per call between two
# checkpoints; an fsync probe in the gateway's data directory before and after the load.
#
# Knobs (environment variables, defaults in brackets; the defaults take about 7 minutes):
#   BENCH_MODE                processes | in-jvm                                   [processes]
#                             processes: `portcullis serve` and `portcullis sample acme` are
#                             separate JVMs started from target/classes; in-jvm: all three in one
#   BENCH_WORKLOADS           some of read,write,denied,fresh-key                  [all]
#   BENCH_DOORS               some of direct,rest,mcp                              [all]
#   BENCH_CONCURRENCY         closed-loop client counts, comma-separated           [1,16]
#   BENCH_ROUNDS              closed-loop passes over every scenario; the summaries [1]
#                             take each scenario's median, and every other pass runs
#                             the doors in reverse order (none is always first)
#   BENCH_JIT_WARMUP_SECONDS  traffic over every scenario before anything counts   [40]
#                             (split over the scenarios; the gateway and Acme start cold)
#   BENCH_WARMUP_SECONDS      warmup per scenario (closed and open loop)           [3]
#   BENCH_SECONDS             measured window per closed-loop scenario             [10]
#   BENCH_RATE                open-loop arrival rate, req/s (0: no open loop)      [200]
#   BENCH_OPEN_WORKLOADS      workloads run open-loop                              [read,write]
#   BENCH_OPEN_CLIENTS        connections the open loop sends over                 [32]
#   BENCH_OPEN_SECONDS        measured window per open-loop scenario               [BENCH_SECONDS]
#   BENCH_STORED_CALLS        calls per gateway scenario for stored bytes (0: off) [1000]
#   BENCH_FSYNC_COUNT         fsyncs per probe (0: off)                            [1000]
#   BENCH_MAX_REQUESTS        cap per closed-loop phase                            [1000000]
#   BENCH_GATEWAY_HEAP        -Xms/-Xmx of the gateway process                     [1g]
#   BENCH_UPSTREAM_HEAP       -Xms/-Xmx of the Acme process                        [1g]
#   BENCH_GATEWAY_JAVA_OPTS   extra JVM options for the gateway process (e.g. a JFR recording)
#   BENCH_HEAP                -Xms/-Xmx of the load generator (the whole JVM in in-jvm mode)
#                                                          [512m; in-jvm: 1g]
#   BENCH_WORK_DIR            data directories and process logs (deleted at the end)
#                                                          [target/bench/scenarios-<time>]
#   BENCH_KEEP_DATA=1         keep them (gateway.log, acme.log, the databases)
#   BENCH_DURABILITY          the gateway's audit.durability: strict | intent           [strict]
#   BENCH_STORE               sqlite, or the JDBC URL of an empty PostgreSQL database the
#                             gateway connects to as postgres (createdb it first)   [sqlite]
#   BENCH_NODES               gateway nodes (serve processes) on the one store; more than one [1]
#                             needs BENCH_STORE=jdbc:postgresql://…; clients are dealt out to
#                             them in turn. On PostgreSQL the report adds the server's CPU and
#                             its commits per call.
#   BENCH_GATEWAY_CLASSES     the classes the gateway processes run          [target/classes]
#                             (an A/B of a change: point it at another build's target/classes;
#                             the load generator and report stay this build's)
#   BENCH_SKIP_BUILD=1        reuse target/ as it is
#
# Example, the before/after comparison of a change to the state writes (run on each commit):
#   BENCH_CONCURRENCY=1,16 BENCH_SECONDS=10 BENCH_RATE=200 bench/gateway-scenarios.sh
# A quick look at one call kind:
#   BENCH_WORKLOADS=write BENCH_CONCURRENCY=16 BENCH_SECONDS=5 BENCH_RATE=0 bench/gateway-scenarios.sh
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The gateway and Acme run on the runtime classpath only, as the packaged jar would.
runtime_classpath_file="$out/runtime-classpath.txt"
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ] && { [ ! -s "$runtime_classpath_file" ] || [ pom.xml -nt "$runtime_classpath_file" ]; }; then
  say "resolving the runtime classpath (dependency:build-classpath)"
  ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$runtime_classpath_file"
fi
[ -s "$runtime_classpath_file" ] || { echo "error: $runtime_classpath_file is missing; run without BENCH_SKIP_BUILD" >&2; exit 1; }

default_heap=512m
[ "${BENCH_MODE:-processes}" = "in-jvm" ] && default_heap=1g
heap="${BENCH_HEAP:-$default_heap}"

report="$out/gateway-scenarios-$stamp.md"
say "machine: $(nproc) cores; $(uptime | sed 's/^ *//')"
say "running with $("$java_bin" -version 2>&1 | head -1); mode ${BENCH_MODE:-processes}; report: $report"
"$java_bin" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow "-Xms$heap" "-Xmx$heap" \
  "-Dbench.classpath=${BENCH_GATEWAY_CLASSES:-$home/target/classes}:$(cat "$runtime_classpath_file")" \
  -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  dev.portcullis.bench.GatewayScenariosBenchmark | tee "$report"
say "finished; $(uptime | sed 's/^ *//')"
