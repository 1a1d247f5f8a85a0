#!/usr/bin/env bash
# P1: a portal customer's order list (50 orders, first page of 20) by 64
# concurrent clients across NEXO_BENCH_TENANTS tenants (default 1,000),
# beside a bare Fiber JSON handler at the same concurrency in the same run.
#
#   bash bench/portal.sh                      # embedded: SQLite + in-memory cache
#   NEXO_TEST_DATABASE_URL=postgres://nexo_owner@127.0.0.1:5432/postgres?sslmode=disable \
#     bash bench/portal.sh                    # PostgreSQL + a private Redis
#
# On PostgreSQL the script starts its own redis-server on a free port (so
# stopping it disturbs nobody), measures with the cache warm, then shuts
# that Redis down and measures again: every read then bypasses the cache
# (F1). BENCHTIME (default 10s) is each measurement's length.
set -euo pipefail
cd "$(dirname "$0")/.."
bt="${BENCHTIME:-10s}"
# go-redis logs its failed dials between a benchmark's name and its figures
# once Redis is stopped: keep the name, drop the log, join the figures.
run() {
  go test -run '^$' -bench 'PortalOrderList' -benchtime "$bt" -count 1 -timeout 60m ./cmd/nexo |
    awk '/^Benchmark/ { name = $1; rest = $0; sub(/^[^ \t]+/, "", rest); if (rest ~ /req\/s/) { print name rest; name = "" }; next }
         name != "" && /req\/s/ { sub(/^.*connection refused/, ""); print name " " $0; name = "" }'
}

if [ -z "${NEXO_TEST_DATABASE_URL:-}" ]; then
  echo "== SQLite (embedded) + in-memory cache"
  out=$(run)
else
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  dir=$(mktemp -d)
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log"
  trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
  for _ in $(seq 1 30); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
  echo "== PostgreSQL (app role, RLS) + Redis on :$port, then with that Redis stopped"
  out=$(NEXO_TEST_REDIS_URL="redis://127.0.0.1:$port/0" NEXO_BENCH_REDIS_SHUTDOWN=1 run)
fi
echo "$out"
metric() { echo "$out" | awk -v b="$1" -v m="$2" '$1 ~ b {for (i = 1; i < NF; i++) if ($(i+1) == m) print $i}'; }
base=$(metric bare-fiber req/s)
for case in warm cache-stopped; do
  rps=$(metric "/$case" req/s)
  [ -n "$rps" ] || continue
  printf '%-14s %8s req/s = %5.1f%% of bare Fiber (%s req/s), p99 %s ms, cache hits %s%% (P1 wants >= 40%%, p99 < 20 ms)\n' \
    "$case" "$rps" "$(echo "$rps $base" | awk '{print 100*$1/$2}')" "$base" "$(metric "/$case" p99-ms)" "$(metric "/$case" hit-%)"
done
