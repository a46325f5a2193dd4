#!/usr/bin/env bash
# Episodic and lease benchmark on both drivers, with same-run baselines:
#   Append -> Tail delivery latency  vs  PostgreSQL pg_notify -> LISTEN latency (PostgreSQL)
#                                         and a KV Get round trip (memory)
#   Append ops/s                     vs  KV Put ops/s on the same driver
#   Lease Acquire+Release pairs/s    vs  KV Put ops/s on the same driver (two writes vs one)
# Usage: tests/bench/episodic-lease.sh [CLIENTS] [SECONDS]; prints a Markdown table.
. "$(dirname "$0")/common.sh"
clients="${1:-16}"; seconds="${2:-10}"
bench_build
bench_start "  - { block: episodic, name: ev, backend: mem }
  - { block: episodic, name: ev-pg, backend: pg }
  - { block: lease, name: locks, backend: mem }
  - { block: lease, name: locks-pg, backend: pg }
  - { block: kv, name: kv, backend: mem }
  - { block: kv, name: kv-pg, backend: pg }"
# mload SECONDS ARGS...
mload() { local s="$1"; shift; "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.MemoryLoad \
  --target "127.0.0.1:$port" --token "$token" --seconds "$s" "$@"; }
# kload CLIENTS ARGS...
kload() { local c="$1"; shift; "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad --target "127.0.0.1:$port" \
  --token "$token" --seconds "$seconds" --clients "$c" "$@"; }
# warm up the server's JIT on every path once
mload 3 --op append --namespace ev --clients 4 >/dev/null
mload 3 --op lease --namespace locks --clients 4 >/dev/null
tail_mem="$(mload "$seconds" --op tail-latency --namespace ev --clients 1)"
tail_pg="$(mload "$seconds" --op tail-latency --namespace ev-pg --clients 1)"
notify="$(mload "$seconds" --op notify-latency --jdbc "$pg" --clients 1)"
get_mem1="$(kload 1 --op get --namespace kv)"
app_mem="$(mload "$seconds" --op append --namespace ev --clients "$clients")"
app_pg="$(mload "$seconds" --op append --namespace ev-pg --clients "$clients")"
lease_mem="$(mload "$seconds" --op lease --namespace locks --clients "$clients")"
lease_pg="$(mload "$seconds" --op lease --namespace locks-pg --clients "$clients")"
put_mem="$(kload "$clients" --op put --namespace kv)"
put_pg="$(kload "$clients" --op put --namespace kv-pg)"
row() { # name result baseline-name baseline-result metric
  echo "| $1 | $(echo "$2" | field ops_per_s) | $(echo "$2" | field p50_us) | $(echo "$2" | field p99_us) | $3: $(echo "$4" | field "$5") | $(ratio "$(echo "$2" | field "$5")" "$(echo "$4" | field "$5")") |"
}
cat <<MD
| measurement | ops/s | p50 µs | p99 µs | baseline | ratio |
|---|---:|---:|---:|---|---:|
$(row "Append→Tail delivery, memory (${seconds}s at 200 events/s)" "$tail_mem" "KV Get round trip p50 µs" "$get_mem1" p50_us)
$(row "Append→Tail delivery, PostgreSQL (${seconds}s at 200 events/s)" "$tail_pg" "pg_notify→LISTEN p50 µs" "$notify" p50_us)
$(row "Append, memory, $clients clients" "$app_mem" "KV Put ops/s" "$put_mem" ops_per_s)
$(row "Append, PostgreSQL, $clients clients" "$app_pg" "KV Put ops/s" "$put_pg" ops_per_s)
$(row "Lease Acquire+Release, memory, $clients clients" "$lease_mem" "KV Put ops/s" "$put_mem" ops_per_s)
$(row "Lease Acquire+Release, PostgreSQL, $clients clients" "$lease_pg" "KV Put ops/s" "$put_pg" ops_per_s)

Append→Tail p99 on PostgreSQL: $(echo "$tail_pg" | field p99_us) µs (target ≤ 10 000 µs); pg_notify→LISTEN p99: $(echo "$notify" | field p99_us) µs.
clients=$clients seconds=$seconds, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
