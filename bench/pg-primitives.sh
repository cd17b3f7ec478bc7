#!/usr/bin/env bash
# What the PostgreSQL server itself allows on this machine, for the scale-out reasoning in
# BENCHMARKS.md (section 15): with pgbench, against a scratch database it creates and drops,
#   round trip  one `SELECT 1` per transaction, one client (what each statement a group runs
#               under the chain's head lock costs at least)
#   commit      one small INSERT and a durable commit, one client, then 16 clients (the server's
#               own commit rate, and how far its group commit takes it)
#   head        the gateway's pattern: lock one row FOR UPDATE, insert, update it, commit, at 1 and
#               16 clients (every client waits for the one head, as the nodes' groups do)
# Prints pgbench's lines and a Markdown table. Asserts nothing.
#
# Knobs: BENCH_PG_HOST [127.0.0.1]  BENCH_PG_PORT [5432]  BENCH_SECONDS [10]
set -euo pipefail

host="${BENCH_PG_HOST:-127.0.0.1}"
port="${BENCH_PG_PORT:-5432}"
seconds="${BENCH_SECONDS:-10}"
db="portcullis_pg_primitives_$$"
work="$(mktemp -d)"
trap 'rm -rf "$work"; psql -h "$host" -p "$port" -U postgres -d postgres -qAt -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

say() { printf '[pg-primitives] %s\n' "$*" >&2; }
psql -h "$host" -p "$port" -U postgres -d postgres -qAt -c "CREATE DATABASE $db"
psql -h "$host" -p "$port" -U postgres -d "$db" -qAt <<'SQL'
CREATE TABLE log (seq bigserial PRIMARY KEY, body text NOT NULL);
CREATE TABLE head (id integer PRIMARY KEY, seq bigint NOT NULL);
INSERT INTO head VALUES (1, 0);
SQL
printf 'SELECT 1;\n' > "$work/round-trip.sql"
printf "INSERT INTO log (body) VALUES ('a record of about two hundred bytes, as a compact audit record is');\n" > "$work/commit.sql"
cat > "$work/head.sql" <<'SQL'
BEGIN;
SELECT seq FROM head WHERE id = 1 FOR UPDATE;
INSERT INTO log (body) VALUES ('a record of about two hundred bytes, as a compact audit record is');
UPDATE head SET seq = seq + 1 WHERE id = 1;
COMMIT;
SQL

run() { # name, clients, script
  local out
  say "$1, $2 client(s), ${seconds} s"
  out="$(pgbench -h "$host" -p "$port" -U postgres -n -c "$2" -j "$2" -T "$seconds" -f "$work/$3" "$db" 2>&1)"
  printf '%s\n' "$out" | grep -E 'latency average|tps' >&2
  printf '| %s | %s | %s | %s |\n' "$1" "$2" \
    "$(printf '%s\n' "$out" | awk -F'= ' '/^tps/ {printf "%.0f", $2}')" \
    "$(printf '%s\n' "$out" | awk -F'= ' '/latency average/ {print $2}')"
}

say "server: $(psql -h "$host" -p "$port" -U postgres -d "$db" -qAt -c 'SHOW server_version') (fsync $(psql -h "$host" -p "$port" -U postgres -d "$db" -qAt -c 'SHOW fsync'), synchronous_commit $(psql -h "$host" -p "$port" -U postgres -d "$db" -qAt -c 'SHOW synchronous_commit')); $(nproc) cores; $(uptime | sed 's/^ *//')"
printf '| what | clients | transactions/s | latency average |\n|---|---:|---:|---|\n'
run "round trip (SELECT 1)" 1 round-trip.sql
run "insert + durable commit" 1 commit.sql
run "insert + durable commit" 16 commit.sql
run "lock head, insert, update head, commit" 1 head.sql
run "lock head, insert, update head, commit" 16 head.sql
