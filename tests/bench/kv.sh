#!/usr/bin/env bash
# KV benchmark: the packaged sidecar vs its baselines, measured in the same run, on loopback.
#   memory KV Get/Put over gRPC   vs  redis-benchmark GET/SET (same clients, same value size)
#   Redis-driver KV Get/Put       vs  the same redis-benchmark run (the sidecar's own Redis round
#                                     trip included: that is what the driver adds)
#   PostgreSQL KV Put via sidecar vs  a direct JDBC upsert of the same row shape
# Usage: tests/bench/kv.sh [CLIENTS] [SECONDS] [VALUE_SIZE]; prints a Markdown table to stdout.
# Needs: redis-server on 127.0.0.1:6379, PostgreSQL at $MEMSIDECAR_BENCH_PG_URL
# (default jdbc:postgresql://127.0.0.1:5432/test?user=postgres).
. "$(dirname "$0")/common.sh"
clients="${1:-16}"; seconds="${2:-10}"; size="${3:-100}"
bench_build
bench_start "  - { block: kv, name: bench, backend: mem }
  - { block: kv, name: bench-pg, backend: pg }
  - { block: kv, name: bench-redis, backend: redis }" \
  "  - { name: redis, driver: redis, options: { dsn: \"redis://127.0.0.1:6379\", key_prefix: \"bench:\" } }"

# load CLIENTS ARGS...
load() { local c="$1"; shift; "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad --target "127.0.0.1:$port" \
  --token "$token" --clients "$c" --seconds "$seconds" --value-size "$size" "$@"; }

get_mem="$(load "$clients" --op get --namespace bench)"
put_mem="$(load "$clients" --op put --namespace bench)"
put_redis="$(load "$clients" --op put --namespace bench-redis)"
get_redis="$(load "$clients" --op get --namespace bench-redis)"
put_pg="$(load "$clients" --op put --namespace bench-pg)"
put_jdbc="$(load "$clients" --op jdbc-put --namespace bench-pg --jdbc "$pg")"
put_pg1="$(load 1 --op put --namespace bench-pg)"
put_jdbc1="$(load 1 --op jdbc-put --namespace bench-pg --jdbc "$pg")"
redis="$(redis-benchmark -h 127.0.0.1 -p 6379 -c "$clients" -d "$size" -n $((clients * 20000)) -r 10000 -t get,set --csv -q)"
redis_get="$(echo "$redis" | sed -n 's/^"GET","\([0-9.]*\)".*/\1/p')"
redis_set="$(echo "$redis" | sed -n 's/^"SET","\([0-9.]*\)".*/\1/p')"

cat <<MD
| measurement | ops/s | p50 µs | p99 µs | baseline ops/s | ratio |
|---|---:|---:|---:|---:|---:|
| sidecar memory KV Get (gRPC) | $(echo "$get_mem" | field ops_per_s) | $(echo "$get_mem" | field p50_us) | $(echo "$get_mem" | field p99_us) | redis GET $redis_get | $(ratio "$(echo "$get_mem" | field ops_per_s)" "$redis_get") |
| sidecar memory KV Put (gRPC) | $(echo "$put_mem" | field ops_per_s) | $(echo "$put_mem" | field p50_us) | $(echo "$put_mem" | field p99_us) | redis SET $redis_set | $(ratio "$(echo "$put_mem" | field ops_per_s)" "$redis_set") |
| sidecar Redis-driver KV Get (gRPC) | $(echo "$get_redis" | field ops_per_s) | $(echo "$get_redis" | field p50_us) | $(echo "$get_redis" | field p99_us) | redis GET $redis_get | $(ratio "$(echo "$get_redis" | field ops_per_s)" "$redis_get") |
| sidecar Redis-driver KV Put (gRPC) | $(echo "$put_redis" | field ops_per_s) | $(echo "$put_redis" | field p50_us) | $(echo "$put_redis" | field p99_us) | redis SET $redis_set | $(ratio "$(echo "$put_redis" | field ops_per_s)" "$redis_set") |
| sidecar PostgreSQL KV Put (gRPC), $clients clients | $(echo "$put_pg" | field ops_per_s) | $(echo "$put_pg" | field p50_us) | $(echo "$put_pg" | field p99_us) | direct JDBC upsert $(echo "$put_jdbc" | field ops_per_s) (p50 $(echo "$put_jdbc" | field p50_us) µs) | p50 latency ratio $(ratio "$(echo "$put_pg" | field p50_us)" "$(echo "$put_jdbc" | field p50_us)") |
| sidecar PostgreSQL KV Put (gRPC), 1 client | $(echo "$put_pg1" | field ops_per_s) | $(echo "$put_pg1" | field p50_us) | $(echo "$put_pg1" | field p99_us) | direct JDBC upsert $(echo "$put_jdbc1" | field ops_per_s) (p50 $(echo "$put_jdbc1" | field p50_us) µs) | p50 latency ratio $(ratio "$(echo "$put_pg1" | field p50_us)" "$(echo "$put_jdbc1" | field p50_us)") |

clients=$clients seconds=$seconds value_size=${size}B, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
