#!/usr/bin/env bash
# Start-up to the first served call: runs `portcullis serve` on the demo configuration in front of
# the bundled Acme sample, exactly as an operator does (through the launcher script, so the JDK
# search and the JVM's options count), and times each start from the moment the launcher is run to
# the first governed call that succeeds: a REST `crm_get_customer` through the whole pipeline
# (authentication, catalog, schema, policy, ledger, the HTTP connector with Acme's token, the result
# filter). Reports the median, min and max over N starts, cold (a new data directory: migrations,
# installation keys) and warm (the data directory of the previous start). Progress goes to stderr;
# the Markdown report goes to stdout and to target/bench/startup-<time>.md. Reports; asserts nothing.
#
# Each start also records the CPU time (user + system, from /proc) the process, launcher included,
# had used by its first answer, which other work on a shared machine disturbs far less than the wall
# time, and when it printed its "Ready." line (the edges listen), read from its output as it is
# polled, so that figure is only as fine as the polling (BENCH_POLL_MS).
#
# Variants: this checkout's launcher with its start-up cache and with PORTCULLIS_AOT=off, and the
# launcher of the checkout BENCH_BASELINE names, if any. Starts of the variants are interleaved, so a
# burst of other work on the machine spreads over all of them. Acme runs once, for every start.
#
# Knobs (environment variables, defaults in brackets; the defaults take a few minutes on an idle
# machine, many more under load):
#   BENCH_RUNS        starts per variant and data directory state          [10]
#   BENCH_BASELINE    another checkout to measure beside this one, e.g. a clone at the commit
#                     before a change (its ./portcullis builds it when needed)  [none]
#   BENCH_POLL_MS     pause between two attempts at the first call             [10]
#   BENCH_TIMEOUT     seconds a start may take before the run stops             [120]
#   BENCH_WORK_DIR    data directories and logs (deleted at the end)  [target/bench/startup-<time>]
#   BENCH_KEEP_DATA=1 keep them
#
# Example, before/after a change, side by side:
#   git clone -q . /tmp/base && git -C /tmp/base checkout -q OLD_COMMIT
#   BENCH_BASELINE=/tmp/base BENCH_RUNS=10 bench/startup.sh
set -euo pipefail

# shellcheck source=bench/common.sh
bench_needs_classpath=0 source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

runs="${BENCH_RUNS:-10}"
poll_ms="${BENCH_POLL_MS:-10}"
timeout_s="${BENCH_TIMEOUT:-120}"
work="${BENCH_WORK_DIR:-$out/startup-$stamp}"
work="$(mkdir -p "$work" && cd "$work" && pwd)"
report="$out/startup-$stamp.md"
config="$home/examples/demo/portcullis.yaml"
acme_token="acme-bench-token-0123456789abcdef"
key="pcl_demo_support_assistant_key_not_for_production"
poll_s="$(awk -v ms="$poll_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"

now_ms() { date +%s%3N; }

# Children this script started, stopped on any exit.
acme_pid=""
gateway_pid=""
cleanup() {
  for pid in $gateway_pid $acme_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [ "${BENCH_KEEP_DATA:-0}" != "1" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# The launchers to compare: "label|launcher|PORTCULLIS_AOT value".
variants=()
if [ -n "${BENCH_BASELINE:-}" ]; then
  base="$(cd "$BENCH_BASELINE" && pwd)"
  base_rev="$(git -C "$base" rev-parse --short HEAD 2>/dev/null || echo '?')"
  variants+=("baseline $base_rev|$base/portcullis|")
fi
rev="$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
variants+=("this checkout $rev, no AOT cache|$home/portcullis|off")
variants+=("this checkout $rev|$home/portcullis|")

# Builds (and, where the launcher does it, trains the AOT cache) before anything is timed.
for v in "${variants[@]}"; do
  IFS='|' read -r label launcher aot <<<"$v"
  say "preparing $label: $launcher --version"
  PORTCULLIS_AOT="$aot" "$launcher" --version >&2
done

write_token() { mkdir -p "$1/secrets" && printf '%s\n' "$acme_token" >"$1/secrets/acme-api-token"; }

# Waits until FILE has a line matching REGEX; prints its first capture (sed -E syntax).
await_line() {
  local file="$1" regex="$2" pid="$3" deadline=$(( $(now_ms) + timeout_s * 1000 )) found
  while [ "$(now_ms)" -lt "$deadline" ]; do
    found="$(sed -nE "s#$regex#\\1#p" "$file" 2>/dev/null | head -1)"
    if [ -n "$found" ]; then echo "$found"; return 0; fi
    kill -0 "$pid" 2>/dev/null || { say "process $pid ended; its output:"; tail -20 "$file" >&2; return 1; }
    sleep "$poll_s"
  done
  say "no line matching '$regex' within $timeout_s s; output:"; tail -20 "$file" >&2
  return 1
}

load_before="$(uptime | sed 's/.*load average: //')"
say "machine: $(nproc) cores; $(uptime | sed 's/^ *//')"
write_token "$work/acme"
"$home/portcullis" sample acme --port 0 --data "$work/acme" >"$work/acme.log" 2>&1 &
acme_pid=$!
acme_url="$(await_line "$work/acme.log" '.*Acme sample listening on (http://[^ ]+)/api.*' "$acme_pid")"
say "Acme (pid $acme_pid) at $acme_url"

ticks="$(getconf CLK_TCK 2>/dev/null || echo 100)"
# CPU time (user + system, with waited-for children such as the launcher's) a process has used so
# far, in ms; -1 where there is no /proc.
cpu_ms() {
  local st
  read -r -a st <"/proc/$1/stat" 2>/dev/null || { echo -1; return; }
  # Fields 14-17 (utime stime cutime cstime); the command name (field 2) has no spaces here.
  echo $(( (st[13] + st[14] + st[15] + st[16]) * 1000 / ticks ))
}

# One start: sets r_ready, r_first and r_cpu (ms) once the gateway answered its first call, then
# stops it. Runs in this shell (not a subshell), so the cleanup can always stop the gateway.
start_once() {
  local launcher="$1" aot="$2" data="$3" log="$4" t0 ready_ms="" rest code t1 cpu
  t0="$(now_ms)"
  ACME_URL="$acme_url/api" ACME_MCP_URL="$acme_url/mcp" PORTCULLIS_AOT="$aot" \
    "$launcher" serve --config "$config" --data "$data" --port 0 >"$log" 2>&1 &
  gateway_pid=$!
  rest="$(await_line "$log" '^ *REST +(http://[^/]+)/v1/.*' "$gateway_pid")" || return 1
  local deadline=$(( t0 + timeout_s * 1000 ))
  while :; do
    [ -z "$ready_ms" ] && grep -q '^Ready\.' "$log" && ready_ms=$(( $(now_ms) - t0 ))
    code="$(curl -s -o "$log.body" -w '%{http_code}' -X POST "$rest/v1/tools/crm_get_customer:invoke" \
      -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d '{"requestId":"startup","actor":{"userId":"u-1","channel":"web"},"arguments":{"customerId":"C-1001"}}' || true)"
    if [ "$code" = "200" ]; then t1="$(now_ms)"; cpu="$(cpu_ms "$gateway_pid")"; break; fi
    [ "$(now_ms)" -lt "$deadline" ] || { say "no answer 200 within $timeout_s s (last: $code)"; cat "$log.body" >&2; return 1; }
    kill -0 "$gateway_pid" 2>/dev/null || { say "gateway ended"; tail -20 "$log" >&2; return 1; }
    sleep "$poll_s"
  done
  grep -q '"state":"completed"' "$log.body" || { say "first call did not complete:"; cat "$log.body" >&2; return 1; }
  [ -n "$ready_ms" ] || ready_ms=$(( t1 - t0 ))
  kill "$gateway_pid"
  wait "$gateway_pid" 2>/dev/null || true
  gateway_pid=""
  r_ready="$ready_ms" r_first="$(( t1 - t0 ))" r_cpu="$cpu"
}

# Results: one file per variant and state, one line "READY FIRST" per start.
for state in cold warm; do
  for i in $(seq 1 "$runs"); do
    n=0
    for v in "${variants[@]}"; do
      IFS='|' read -r label launcher aot <<<"$v"
      n=$((n + 1))
      data="$work/data-$n"
      if [ "$state" = cold ]; then rm -rf "$data"; write_token "$data"; fi
      if [ "$state" = warm ] && [ "$i" = 1 ]; then
        # The warm series starts from the data directory a start already used.
        [ -d "$data" ] || write_token "$data"
      fi
      start_once "$launcher" "$aot" "$data" "$work/gateway-$n.log" || exit 1
      echo "$r_ready $r_first $r_cpu" >>"$work/$state-$n.txt"
      say "$state $i/$runs  $label: ready $r_ready ms, first call $r_first ms, CPU $r_cpu ms"
    done
  done
done

# median, min, max of one column of a results file
stats() {
  sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%d | %d | %d", m, v[1], v[NR] }'
}

{
  echo "## Start-up to the first served call"
  echo
  echo "\`bench/startup.sh\`, $runs starts per row (interleaved), $(date -u '+%Y-%m-%d %H:%M') UTC; $(nproc) cores,"
  echo "$("$java_bin" -version 2>&1 | sed -n 2p); load average before: $load_before, after: $(uptime | sed 's/.*load average: //')."
  echo "First call: from running the launcher to the first \`crm_get_customer\` answered 200 over REST."
  echo "CPU: user + system time the gateway process (launcher included) had used by then."
  echo
  echo "| variant | data | first call: median ms | min | max | CPU: median ms | min | max | \"Ready.\" printed: median ms | min | max |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for state in cold warm; do
    n=0
    for v in "${variants[@]}"; do
      IFS='|' read -r label _ _ <<<"$v"
      n=$((n + 1))
      echo "| $label | $state | $(stats "$work/$state-$n.txt" 2) | $(stats "$work/$state-$n.txt" 3) | $(stats "$work/$state-$n.txt" 1) |"
    done
  done
} | tee "$report"
say "report: $report"
