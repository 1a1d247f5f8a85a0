#!/usr/bin/env bash
# P2 and P4: order placement (3 lines, number allocation, stock reservation
# under row locks, history, audit, outbox; create + confirm over the HTTP
# app) by 32 concurrent clients across 100 tenants, set beside pgbench's
# TPC-B run against the same PostgreSQL server in the same script run; then
# the same benchmark on embedded SQLite (a database file in WAL mode, as
# embedded mode runs). NEXO_BENCH_LOG_SQL=1 prints one placement's SQL;
# NEXO_BENCH_CPUPROFILE=file profiles the placements only.
#
#   NEXO_TEST_DATABASE_URL=postgres://nexo_owner@127.0.0.1:5432/postgres?sslmode=disable \
#   NEXO_TEST_REDIS_URL=redis://127.0.0.1:6379/15 bash bench/orders.sh
#
# DURATION (seconds, default 20) is each run's length.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${NEXO_TEST_DATABASE_URL:?set NEXO_TEST_DATABASE_URL to an owner-role URL (see README)}"
dur="${DURATION:-20}"

db="nexo_pgbench_$$"
pg_url=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$NEXO_TEST_DATABASE_URL" "$db")
psql "$NEXO_TEST_DATABASE_URL" -qc "CREATE DATABASE $db"
trap 'psql "$NEXO_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null' EXIT

echo "== pgbench TPC-B, scale 32, 32 clients, ${dur}s"
pgbench -i -q -s 32 "$pg_url" >/dev/null 2>&1
tpcb=$(pgbench -c 32 -j 2 -T "$dur" "$pg_url" 2>/dev/null | awk '/^tps/ {print $3; exit}')
echo "pgbench: $tpcb tps"

bench() { go test -run '^$' -bench 'OrderPlacement' -benchtime "${dur}s" -count 1 ./cmd/nexo | awk '/^BenchmarkOrderPlacement/'; }

echo "== order placement on PostgreSQL (app role, RLS) + Redis"
pg=$(bench)
echo "$pg"
echo "== order placement on SQLite (embedded)"
lite=$(NEXO_TEST_DATABASE_URL= NEXO_TEST_REDIS_URL= bench)
echo "$lite"

metric() { echo "$1" | awk -v m="$2" '{for (i = 1; i < NF; i++) if ($(i+1) == m) print $i}'; }
printf '\nPostgreSQL: %s orders/s = %.1f%% of pgbench TPC-B (%s tps), p99 %s ms, %s statements/placement (P2 wants ≥ 50%%, p99 < 50 ms)\n' \
  "$(metric "$pg" orders/s)" "$(echo "$(metric "$pg" orders/s) $tpcb" | awk '{print 100*$1/$2}')" "$tpcb" "$(metric "$pg" p99-ms)" "$(metric "$pg" stmts/order)"
printf 'SQLite:     %s orders/s, p99 %s ms, %s statements/placement (P4 wants ≥ 1,000/s)\n' "$(metric "$lite" orders/s)" "$(metric "$lite" p99-ms)" "$(metric "$lite" stmts/order)"
