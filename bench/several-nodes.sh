#!/usr/bin/env bash
# The gateway on its three stores side by side, in one run: one node on SQLite (the embedded
# default), one node on PostgreSQL, and three nodes on PostgreSQL, each behind its own direct
# baseline (the upstream alone, measured again in each part, since the machine drifts). Each part is
# bench/gateway-scenarios.sh with a fresh database; the Markdown reports go to stdout and to
# target/bench/several-nodes-<time>.md. Reports; asserts nothing.
#
# On a machine with fewer cores than parties, three nodes show what each node and each call costs
# (gateway CPU, the database server's CPU, commits per call), not how far the gateway scales:
# BENCHMARKS.md section 15 says what bounds it.
#
# Knobs (besides every knob of gateway-scenarios.sh, passed on; defaults here in brackets):
#   BENCH_PG_URL      the PostgreSQL server, reached as postgres  [jdbc:postgresql://127.0.0.1:5432/]
#   BENCH_PARTS       some of sqlite,pg1,pg3                       [sqlite,pg1,pg3]
#   BENCH_WORKLOADS [read,write]  BENCH_DOORS [direct,rest]  BENCH_CONCURRENCY [1,16]
#   BENCH_SECONDS [10]  BENCH_RATE [0]  BENCH_STORED_CALLS [0]  BENCH_FSYNC_COUNT [0]
#
# Example: bench/several-nodes.sh
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
stamp="$(date +%Y%m%d-%H%M%S)"
mkdir -p target/bench
report="target/bench/several-nodes-$stamp.md"
pg_url="${BENCH_PG_URL:-jdbc:postgresql://127.0.0.1:5432/}"
pg_host="$(printf '%s' "$pg_url" | sed -E 's#^jdbc:postgresql://([^:/]+).*#\1#')"
pg_port="$(printf '%s' "$pg_url" | sed -nE 's#^jdbc:postgresql://[^:/]+:([0-9]+).*#\1#p')"
pg_port="${pg_port:-5432}"

export BENCH_WORKLOADS="${BENCH_WORKLOADS:-read,write}"
export BENCH_DOORS="${BENCH_DOORS:-direct,rest}"
export BENCH_CONCURRENCY="${BENCH_CONCURRENCY:-1,16}"
export BENCH_RATE="${BENCH_RATE:-0}"
export BENCH_STORED_CALLS="${BENCH_STORED_CALLS:-0}"
export BENCH_FSYNC_COUNT="${BENCH_FSYNC_COUNT:-0}"

psql_admin() { psql -h "$pg_host" -p "$pg_port" -U postgres -d postgres -qAt "$@"; }

part() { # name, nodes, store ("sqlite" or a database name to create)
  local name="$1" nodes="$2" store="$3" url="sqlite"
  if [ "$store" != "sqlite" ]; then
    psql_admin -c "DROP DATABASE IF EXISTS $store" -c "CREATE DATABASE $store"
    url="${pg_url%/}/$store"
  fi
  printf '[several-nodes] part %s: %s node(s) on %s\n' "$name" "$nodes" "$url" >&2
  { printf '\n# Part %s: %s node(s) on %s\n\n' "$name" "$nodes" "$url"
    BENCH_STORE="$url" BENCH_NODES="$nodes" bench/gateway-scenarios.sh
  } | tee -a "$report"
  export BENCH_SKIP_BUILD=1 # built once, by the first part
  if [ "$store" != "sqlite" ]; then
    psql_admin -c "DROP DATABASE IF EXISTS $store"
  fi
}

if [ "${BENCH_PARTS:-sqlite,pg1,pg3}" != "sqlite" ] && ! psql_admin -c 'SELECT 1' >/dev/null; then
  echo "error: no PostgreSQL answers at $pg_host:$pg_port as postgres; set BENCH_PG_URL, or BENCH_PARTS=sqlite" >&2
  exit 1
fi
printf '# Several nodes, %s\n' "$stamp" > "$report"
IFS=',' read -r -a parts <<< "${BENCH_PARTS:-sqlite,pg1,pg3}"
for p in "${parts[@]}"; do
  case "$p" in
    sqlite) part "$p" 1 sqlite ;;
    pg1) part "$p" 1 "portcullis_bench_pg1_$$" ;;
    pg3) part "$p" 3 "portcullis_bench_pg3_$$" ;;
    *) echo "error: BENCH_PARTS: unknown part $p (expected sqlite, pg1, pg3)" >&2; exit 1 ;;
  esac
done
printf '[several-nodes] report: %s\n' "$report" >&2
