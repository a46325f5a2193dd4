#!/usr/bin/env bash
# KV transactions (issue: multi-key KV transactions): two keys changed together by each of 16 clients
# (closed loop, each on its own key pairs so every compare holds), on PostgreSQL and on SQLite:
#   sidecar Txn    one KV.Txn comparing both versions and putting both
#   two CAS Puts   two KV.Put with if_version, one after the other (what a client does without Txn)
#   direct JDBC    the same transaction by hand over JDBC (lock or read both rows, compare, write both)
# and one plain grpc-java round trip (GrpcBaseline answering KV.Put from a map) at the same concurrency.
# Goal: the sidecar's Txn p50 ≤ 1.2 × (direct JDBC p50 + that round trip's p50). Runs in turn, ROUNDS
# rounds (default 3), medians.
# Usage: tests/bench/txn.sh [SECONDS]. Needs PostgreSQL at $MEMSIDECAR_BENCH_PG_URL.
. "$(dirname "$0")/common.sh"
seconds="${1:-10}"; rounds="${ROUNDS:-3}"; clients="${CLIENTS:-16}"
bench_build
lite="$(mktemp -d)"
bench_start "  - { block: kv, name: bench-pg, backend: pg }
  - { block: kv, name: bench-lite, backend: lite }" "  - { name: lite, driver: sqlite, options: { path: \"$lite/sidecar.db\" } }"
bench_baseline
sleep 2
txn_load() { "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.TxnLoad --clients "$clients" --seconds "$seconds" "$@"; }
declare -A p50 p99 ops
add() { # KEY JSON
  p50[$1]+=" $(value "$2" p50_us)"; p99[$1]+=" $(value "$2" p99_us)"; ops[$1]+=" $(value "$2" ops_per_s)"
}
for _ in $(seq 1 "$rounds"); do
  add rt "$("$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad --target 127.0.0.1:7790 --token "$token" \
    --clients "$clients" --seconds "$seconds" --op put --namespace bench-pg)"
  for db in pg lite; do
    add "$db-txn" "$(txn_load --token "$token" --namespace "bench-$db" --op txn)"
    add "$db-cas" "$(txn_load --token "$token" --namespace "bench-$db" --op cas)"
  done
  add pg-jdbc "$(txn_load --jdbc "$pg" --namespace bench-pg --op jdbc-txn)"
  add lite-jdbc "$(txn_load --jdbc "jdbc:sqlite:$lite/direct.db" --namespace bench-lite --op jdbc-txn)"
done
m() { median ${1}; }
RT="$(m "${p50[rt]}")"
row() { # LABEL KEY [FLOOR_KEY]
  local floor=""
  if [ -n "${3:-}" ]; then
    floor="$(ratio "$(m "${p50[$2]}")" "$(awk -v j="$(m "${p50[$3]}")" -v r="$RT" 'BEGIN { print j + r }')")"
  fi
  echo "| $1 | $(m "${p50[$2]}") | $(m "${p99[$2]}") | $(m "${ops[$2]}") | ${floor} |"
}
cat <<MD
| two keys changed together, $clients clients | p50 µs | p99 µs | changes/s | p50 / (JDBC p50 + round trip p50) |
|---|---:|---:|---:|---:|
$(row "PostgreSQL: sidecar Txn (2 version compares + 2 puts)" pg-txn pg-jdbc)
$(row "PostgreSQL: two CAS Puts through the sidecar" pg-cas pg-jdbc)
$(row "PostgreSQL: the same transaction over direct JDBC" pg-jdbc)
$(row "SQLite: sidecar Txn" lite-txn lite-jdbc)
$(row "SQLite: two CAS Puts through the sidecar" lite-cas lite-jdbc)
$(row "SQLite: the same transaction over direct JDBC (one connection, as the driver)" lite-jdbc)
$(row "plain grpc-java round trip (KV.Put into a map)" rt)

goal: sidecar Txn p50 ≤ 1.2 × (direct JDBC p50 + round trip p50); medians of $rounds rounds of ${seconds} s; auth and access log as the bench config (warn level); $(nproc) cores, $(date -u +%Y-%m-%d)
MD
rm -rf "$lite"
