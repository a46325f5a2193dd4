#!/usr/bin/env bash
# The transport against the stack's limit: memory KV Get of a 100-byte value over TCP gRPC
# (CLIENTS clients on one connection, closed loop) through the sidecar — auth, policy and the
# access log on — and through a plain grpc-java Netty server answering the same KV.Get from a map
# (GrpcBaseline), built and run here; and the same sidecar over its Unix socket (grpc-netty, the
# same routing table), which separates Helidon's HTTP/2 from the filters and handler; and a second
# sidecar with server.grpc.transport: netty (gRPC on TCP through grpc-java's Netty, the same
# filters). ROUNDS rounds in turn, medians. Then latency percentiles and server CPU at a fixed
# 1000 Get/s for the two sidecars and the baseline. (The gateway against gRPC: gateway.sh.)
# Usage: tests/bench/transport.sh [CLIENTS] [SECONDS]. Prints a Markdown table.
. "$(dirname "$0")/common.sh"
clients="${1:-16}"; seconds="${2:-10}"; rounds="${ROUNDS:-3}"
bench_build
BENCH_ACCESS_LOG=true bench_start "  - { block: kv, name: bench, backend: mem }"
bench_baseline
bench_start_netty
sleep 2
get() { # KvLoad target options -> ops/s
  "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad "$@" --token "$token" \
    --clients "$clients" --seconds "$seconds" --op "${OP:-get}" --namespace bench | field ops_per_s
}
side=(); netty=(); uds=(); base=()
for _ in $(seq 1 "$rounds"); do
  side+=("$(get --target "127.0.0.1:$port")"); netty+=("$(get --target 127.0.0.1:7791)")
  uds+=("$(get --unix "$work/sidecar.sock")"); base+=("$(get --target 127.0.0.1:7790)")
done
# A fixed 1000 Get/s (4 clients on one connection): latency percentiles, and the server's CPU over the window.
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
fixed() { # PID TARGET-OPTIONS -> "p50 p99 p999 vcpu"
  local pid="$1" c0 out; shift
  "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad "$@" --token "$token" --clients 4 --rate 1000 \
    --seconds 3 --warmup-seconds 0 --op get --namespace bench >/dev/null
  c0="$(cpu "$pid")"
  out="$("$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad "$@" --token "$token" --clients 4 --rate 1000 \
    --seconds "$seconds" --warmup-seconds 0 --op get --namespace bench)"
  echo "$(echo "$out" | field p50_us) $(echo "$out" | field p99_us) $(echo "$out" | field p999_us)" \
    "$(awk -v t=$(( $(cpu "$pid") - c0 )) -v hz="$(getconf CLK_TCK)" -v s="$seconds" 'BEGIN { printf "%.3f", t / hz / s }')"
}
read -r h50 h99 h999 hcpu < <(fixed "$server_pid" --target "127.0.0.1:$port")
read -r n50 n99 n999 ncpu < <(fixed "$netty_pid" --target 127.0.0.1:7791)
read -r b50 b99 b999 bcpu < <(fixed "$baseline_pid" --target 127.0.0.1:7790)
cat <<MD
| KV Get, 100-byte value, TCP gRPC, $clients clients | median ops/s | runs (in turn) |
|---|---:|---|
| sidecar (Helidon), auth + policy + access log | $(median "${side[@]}") | ${side[*]} |
| sidecar with \`server.grpc.transport: netty\`, same filters | $(median "${netty[@]}") | ${netty[*]} |
| sidecar over its Unix socket (grpc-netty), same filters | $(median "${uds[@]}") | ${uds[*]} |
| plain grpc-java Netty server, same messages from a map | $(median "${base[@]}") | ${base[*]} |

| at a fixed 1000 KV Get/s, 4 clients | p50 µs | p99 µs | p99.9 µs | server CPU (vCPU) |
|---|---:|---:|---:|---:|
| sidecar (Helidon) | $h50 | $h99 | $h999 | $hcpu |
| sidecar (netty transport) | $n50 | $n99 | $n999 | $ncpu |
| plain grpc-java | $b50 | $b99 | $b999 | $bcpu |

sidecar over TCP / plain grpc-java: **$(ratio "$(median "${side[@]}")" "$(median "${base[@]}")")** (Helidon), **$(ratio "$(median "${netty[@]}")" "$(median "${base[@]}")")** (netty); sidecar over the Unix socket / plain grpc-java over TCP: $(ratio "$(median "${uds[@]}")" "$(median "${base[@]}")"); seconds=$seconds per run, $rounds rounds, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
