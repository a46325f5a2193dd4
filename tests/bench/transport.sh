#!/usr/bin/env bash
# The transport against the stack's limit: memory KV Get of a 100-byte value over TCP gRPC
# (CLIENTS clients on one connection, closed loop) through the sidecar — auth, policy and the
# access log on — and through a plain grpc-java Netty server answering the same KV.Get from a map
# (GrpcBaseline), built and run here; and the same sidecar over its Unix socket (grpc-netty, the
# same routing table), which separates Helidon's HTTP/2 from the filters and handler. ROUNDS
# rounds in turn, medians.
# Usage: tests/bench/transport.sh [CLIENTS] [SECONDS]. Prints a Markdown table.
. "$(dirname "$0")/common.sh"
clients="${1:-16}"; seconds="${2:-10}"; rounds="${ROUNDS:-3}"
bench_build
BENCH_ACCESS_LOG=true bench_start "  - { block: kv, name: bench, backend: mem }"
"$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.GrpcBaseline --port 7790 >/dev/null 2>&1 &
baseline_pid=$!
trap 'kill $baseline_pid 2>/dev/null || true; bench_stop' EXIT
sleep 2
get() { # KvLoad target options -> ops/s
  "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad "$@" --token "$token" \
    --clients "$clients" --seconds "$seconds" --op get --namespace bench | field ops_per_s
}
side=(); uds=(); base=()
for _ in $(seq 1 "$rounds"); do
  side+=("$(get --target "127.0.0.1:$port")"); uds+=("$(get --unix "$work/sidecar.sock")"); base+=("$(get --target 127.0.0.1:7790)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cat <<MD
| KV Get, 100-byte value, TCP gRPC, $clients clients | median ops/s | runs (in turn) |
|---|---:|---|
| sidecar (Helidon), auth + policy + access log | $(median "${side[@]}") | ${side[*]} |
| sidecar over its Unix socket (grpc-netty), same filters | $(median "${uds[@]}") | ${uds[*]} |
| plain grpc-java Netty server, same messages from a map | $(median "${base[@]}") | ${base[*]} |

sidecar over TCP / plain grpc-java: **$(ratio "$(median "${side[@]}")" "$(median "${base[@]}")")**; sidecar over the Unix socket / plain grpc-java over TCP: $(ratio "$(median "${uds[@]}")" "$(median "${base[@]}")"); seconds=$seconds per run, $rounds rounds, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
