#!/usr/bin/env bash
# The transport issue's PostgreSQL goal: a KV Put with one client through the sidecar (PostgreSQL
# driver) against what it cannot avoid — a direct JDBC upsert of the same row shape plus one plain
# grpc-java round trip (GrpcBaseline answering the same KV.Put from a map) — all measured here, one
# client each, closed loop, ROUNDS rounds in turn, medians of the p50s. Also a plain grpc-java server
# whose Put does that upsert (the hop and the database in one chain, nothing else). The sidecar is
# measured on its embedded default's one port (grpc-netty), with `transport: helidon` (a second sidecar)
# and on its Unix socket.
# Usage: tests/bench/pgput.sh [SECONDS]. Needs PostgreSQL at $MEMSIDECAR_BENCH_PG_URL.
. "$(dirname "$0")/common.sh"
seconds="${1:-10}"; rounds="${ROUNDS:-3}"
bench_build
bench_start "  - { block: kv, name: bench-pg, backend: pg }"
bench_baseline
bench_baseline 7793 --jdbc "$pg"
bench_start_second -e 's|transport: netty|transport: helidon|'
put() { # KvLoad options -> p50 µs of one client's Puts
  "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad "$@" --token "$token" --clients 1 \
    --seconds "$seconds" --op put --namespace bench-pg | field p50_us
}
jdbc=(); grpc=(); chain=(); helidon=(); netty=(); uds=()
for _ in $(seq 1 "$rounds"); do
  jdbc+=("$("$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad --jdbc "$pg" --clients 1 \
    --seconds "$seconds" --op jdbc-put --namespace bench-pg | field p50_us)")
  grpc+=("$(put --target 127.0.0.1:7790)")
  chain+=("$(put --target 127.0.0.1:7793)")
  netty+=("$(put --target "127.0.0.1:$port")")
  helidon+=("$(put --target 127.0.0.1:7791)")
  uds+=("$(put --unix "$work/sidecar.sock")")
done
J="$(median "${jdbc[@]}")"; G="$(median "${grpc[@]}")"; C="$(median "${chain[@]}")"; H="$(median "${helidon[@]}")"; N="$(median "${netty[@]}")"; U="$(median "${uds[@]}")"
floor="$(awk -v j="$J" -v g="$G" 'BEGIN { print j + g }')"
cat <<MD
| KV Put, 100-byte value, 1 client | p50 µs (median of runs) | runs (in turn) | / (JDBC + gRPC) |
|---|---:|---|---:|
| direct JDBC upsert (same row shape) | $J | ${jdbc[*]} | |
| plain grpc-java round trip (Put into a map) | $G | ${grpc[*]} | |
| plain grpc-java server doing the same upsert over JDBC | $C | ${chain[*]} | $(ratio "$C" "$floor") |
| sidecar, PostgreSQL driver, TCP gRPC, one port (grpc-netty) | $N | ${netty[*]} | $(ratio "$N" "$floor") |
| sidecar, PostgreSQL driver, TCP gRPC, \`transport: helidon\` | $H | ${helidon[*]} | $(ratio "$H" "$floor") |
| sidecar, PostgreSQL driver, Unix socket | $U | ${uds[*]} | |

goal: sidecar p50 ≤ 1.1 × (JDBC p50 + gRPC round trip p50) = $(awk -v f="$floor" 'BEGIN { printf "%.0f", 1.1 * f }') µs; auth, policy on, access log off; seconds=$seconds per run, $rounds rounds, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
