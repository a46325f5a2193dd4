#!/usr/bin/env bash
# The transport against the stack's limit: memory KV Get of a 100-byte value over TCP gRPC
# (CLIENTS clients on one connection, closed loop) through the sidecar — auth, policy and the
# access log on — and through a plain grpc-java Netty server answering the same KV.Get from a map
# (GrpcBaseline), built and run here. The sidecar runs its default layout (gRPC through grpc-netty,
# HTTP/1.x on the same port relayed to Helidon); the same sidecar over its Unix socket (grpc-netty,
# the same routing table); and a second sidecar with server.grpc.transport: helidon (Helidon's
# HTTP/2 serving gRPC, the same filters) for comparison. ROUNDS rounds in turn, medians. Then
# latency percentiles and server CPU at a fixed 1000 Get/s for the two sidecars and the baseline.
# (The gateway against gRPC: gateway.sh.) BENCH_TLS=1: the TCP listeners, the sidecars' and the
# plain server's, over TLS 1.3 (common.sh); the default layout then tells gRPC clients by their ALPN offer.
# Usage: tests/bench/transport.sh [CLIENTS] [SECONDS]. Prints a Markdown table.
. "$(dirname "$0")/common.sh"
clients="${1:-16}"; seconds="${2:-10}"; rounds="${ROUNDS:-3}"
bench_build
BENCH_LOG_LEVEL=info BENCH_ACCESS_LOG=true bench_start "  - { block: kv, name: bench, backend: mem }"
bench_baseline
bench_start_second -e 's|transport: netty|transport: helidon|'
sleep 2
side=(); helidon=(); uds=(); base=()
for _ in $(seq 1 "$rounds"); do
  side+=("$(kv_ops --target "127.0.0.1:$port")"); helidon+=("$(kv_ops --target 127.0.0.1:7791)")
  uds+=("$(kv_ops --unix "$work/sidecar.sock")"); base+=("$(kv_ops --target 127.0.0.1:7790)")
done
# A fixed 1000 Get/s (4 clients on one connection): latency percentiles, and the server's CPU over the window.
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
read -r s50 s99 s999 scpu < <(fixed "$server_pid" --target "127.0.0.1:$port")
read -r h50 h99 h999 hcpu < <(fixed "$second_pid" --target 127.0.0.1:7791)
read -r b50 b99 b999 bcpu < <(fixed "$baseline_pid" --target 127.0.0.1:7790)
cat <<MD
| KV Get, 100-byte value, TCP gRPC, $clients clients | median ops/s | runs (in turn) |
|---|---:|---|
| sidecar (default: grpc-netty, HTTP/1.x relayed on the same port), auth + policy + access log | $(median "${side[@]}") | ${side[*]} |
| sidecar with \`server.grpc.transport: helidon\`, same filters | $(median "${helidon[@]}") | ${helidon[*]} |
| sidecar over its Unix socket (grpc-netty), same filters | $(median "${uds[@]}") | ${uds[*]} |
| plain grpc-java Netty server, same messages from a map | $(median "${base[@]}") | ${base[*]} |

| at a fixed 1000 KV Get/s, 4 clients | p50 µs | p99 µs | p99.9 µs | server CPU (vCPU) |
|---|---:|---:|---:|---:|
| sidecar (default, grpc-netty) | $s50 | $s99 | $s999 | $scpu |
| sidecar (\`transport: helidon\`) | $h50 | $h99 | $h999 | $hcpu |
| plain grpc-java | $b50 | $b99 | $b999 | $bcpu |

sidecar over TCP / plain grpc-java: **$(ratio "$(median "${side[@]}")" "$(median "${base[@]}")")** (default, grpc-netty), $(ratio "$(median "${helidon[@]}")" "$(median "${base[@]}")") (\`transport: helidon\`); sidecar over the Unix socket / plain grpc-java over TCP: $(ratio "$(median "${uds[@]}")" "$(median "${base[@]}")"); ${BENCH_TLS:+TCP over TLS 1.3 (the Unix socket plaintext); }seconds=$seconds per run, $rounds rounds, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
