#!/usr/bin/env bash
# Runs the request-path benchmarks side by side and prints each as a ratio
# of the bare Fiber baseline measured in the same run. Set
# NEXO_TEST_DATABASE_URL / NEXO_TEST_REDIS_URL to measure on PostgreSQL + Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test -run '^$' -bench 'BareFiber|Me$|AuthorizedRead|Login|OrderDetail|QuoteDetail' -benchtime "${BENCHTIME:-2s}" -count 1 ./cmd/nexo)
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '
  /^BenchmarkBareFiber/ { base = $3 }
  /^Benchmark/ { name[$1] = $3 }
  END {
    printf "\nthroughput relative to bare Fiber (higher is better):\n"
    for (n in name) printf "  %-32s %8.1f%%  (%s ns/op)\n", n, 100 * base / name[n], name[n]
  }'
