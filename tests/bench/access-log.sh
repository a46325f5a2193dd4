#!/usr/bin/env bash
# What the access log costs in the default configuration: memory KV Get over TCP gRPC (CLIENTS clients,
# closed loop, KvLoad) through the sidecar with its default `logging.access: true` (stderr to a file,
# as a container runtime takes it), through a second sidecar from the same config with
# `logging.access: false`, and through a plain grpc-java Netty server answering the same Get from a
# map (GrpcBaseline). ROUNDS rounds in turn (default 3), medians.
# Usage: tests/bench/access-log.sh [CLIENTS] [SECONDS]. Prints a Markdown table.
. "$(dirname "$0")/common.sh"
clients="${1:-16}"; seconds="${2:-10}"; rounds="${ROUNDS:-3}"
bench_build
BENCH_LOG_LEVEL=info BENCH_ACCESS_LOG=true bench_start "  - { block: kv, name: bench, backend: mem }"
bench_baseline
bench_start_second -e 's|access: true|access: false|'
sleep 2
on=(); off=(); base=()
for _ in $(seq 1 "$rounds"); do
  on+=("$(kv_ops --target "127.0.0.1:$port")"); off+=("$(kv_ops --target 127.0.0.1:7791)"); base+=("$(kv_ops --target 127.0.0.1:7790)")
done
lines="$(grep -c '"msg":"rpc"' "$work/server.log" || true)"
ON="$(median "${on[@]}")"; OFF="$(median "${off[@]}")"; B="$(median "${base[@]}")"
cat <<MD
| KV Get, 100-byte value, TCP gRPC, $clients clients | median ops/s | runs (in turn) | / plain grpc-java |
|---|---:|---|---:|
| sidecar, default config (access log on) | $ON | ${on[*]} | $(ratio "$ON" "$B") |
| sidecar, \`logging.access: false\` | $OFF | ${off[*]} | $(ratio "$OFF" "$B") |
| plain grpc-java Netty server, same messages from a map | $B | ${base[*]} | 1.00 |

access log on / off: **$(ratio "$ON" "$OFF")**; $lines access lines written by the first sidecar; seconds=$seconds per run, $rounds rounds, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
