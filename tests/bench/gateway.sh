#!/usr/bin/env bash
# The HTTP/JSON gateway against gRPC on the same sidecar, with one native load generator for both
# (h2load, from Debian's nghttp2-client, installed when missing), so that the client's own cost is
# the same on both sides: memory KV Get of a 100-byte value,
#   gRPC       POST /memsidecar.kv.v1.KV/Get  (h2c, application/grpc, length-prefixed protobuf)
#   gateway    POST /memsidecar.kv.v1.KV/Get  (h2c, application/json)
#   gateway    the same over HTTP/1.1 (h2load --h1)
# on a sidecar in the deployed layout (gRPC on grpc-netty, HTTP on server.http.addr); then gRPC and
# the gateway over HTTP/1.1 on one port: in the default layout (HTTP/1.x relayed by grpc-netty to
# Helidon's private Unix socket; once more with the relay's fallback to a loopback TCP port, forced
# by a temporary directory whose socket path would be too long) and with transport: helidon
# (Helidon serving both).
# ROUNDS (default 3) rounds in turn, medians. Usage: tests/bench/gateway.sh [CLIENTS] [REQUESTS]
. "$(dirname "$0")/common.sh"
clients="${1:-16}"; requests="${2:-200000}"; rounds="${ROUNDS:-3}"
command -v h2load >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null; }
bench_build
bench_start "  - { block: kv, name: bench, backend: mem }"
bench_start_second
SECOND_PORT=7794 bench_start_second -e 's|transport: netty|transport: helidon|' # gRPC and HTTP on 7794
# the default layout again on 7796, relaying to a loopback TCP port
long_tmp="$work/$(printf 't%.0s' $(seq 1 110))"; mkdir -p "$long_tmp"
sed -e "s|127.0.0.1:$port|127.0.0.1:7796|" -e "s|sidecar.sock|tcp-relay.sock|" "$work/bench.yaml" > "$work/tcp-relay.yaml"
JAVA_OPTS="${JAVA_OPTS:--Xmx1g} -Djava.io.tmpdir=$long_tmp" $dist/bin/memsidecar --config "$work/tcp-relay.yaml" >"$work/tcp-relay.log" 2>&1 &
bench_pids+=("$!")
for _ in $(seq 1 60); do ready 7796 && break; sleep 0.5; done
relay_sockets() { ss -xlpn | grep '/http.sock ' | grep -c "pid=$1," || true; }
[ "$(relay_sockets "$server_pid")" = 1 ] && [ "$(relay_sockets "${bench_pids[-1]}")" = 0 ] \
  || { echo "expected the relay on a Unix socket on $port and on loopback TCP on 7796" >&2; exit 1; }
head -c 100 /dev/urandom | base64 | head -c 100 > "$work/value"
for p in "$port" 7792 7794 7796; do # each sidecar has its own memory store
  curl -sf -o /dev/null -X PUT -H "x-memsidecar-capability: Bearer $token" --data-binary @"$work/value" \
    "http://127.0.0.1:$p/v1/kv/bench/k"
done
# GetRequest{namespace: "bench", key: "k"} = 0a 05 "bench" 12 01 "k" (10 bytes), in a gRPC frame
printf '\x00\x00\x00\x00\x0a\x0a\x05bench\x12\x01k' > "$work/grpc.bin"
printf '{"namespace":"bench","key":"k"}' > "$work/json.bin"
path=/memsidecar.kv.v1.KV/Get
auth="x-memsidecar-capability: Bearer $token"
# run PORT ARGS...: prints req/s, failing when any request did not succeed
run() {
  local p="$1" out; shift
  out="$(h2load -n "$requests" -c "$clients" -m 1 -H "$auth" "$@" "http://127.0.0.1:$p$path" 2>&1)"
  echo "$out" | grep -q "$requests succeeded, 0 failed, 0 errored, 0 timeout" && echo "$out" | grep -q "status codes: $requests 2xx" \
    || { echo "$out" >&2; echo "h2load: not every request succeeded" >&2; return 1; }
  echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p'
}
grpc() { run "$1" -H 'content-type: application/grpc' -H 'te: trailers' -d "$work/grpc.bin"; }
json() { run "$1" -H 'content-type: application/json' -d "$work/json.bin" "${@:2}"; }
grpc 7791 >/dev/null; json 7792 >/dev/null; grpc "$port" >/dev/null; json "$port" --h1 >/dev/null # warm-up
grpc 7794 >/dev/null; json 7794 --h1 >/dev/null; grpc 7796 >/dev/null; json 7796 --h1 >/dev/null
declare -a g j h sg sh hg hh tg th
for _ in $(seq 1 "$rounds"); do
  g+=("$(grpc 7791)"); j+=("$(json 7792)"); h+=("$(json 7792 --h1)"); sg+=("$(grpc "$port")"); sh+=("$(json "$port" --h1)")
  hg+=("$(grpc 7794)"); hh+=("$(json 7794 --h1)"); tg+=("$(grpc 7796)"); th+=("$(json 7796 --h1)")
done
G=$(median "${g[@]}"); J=$(median "${j[@]}"); H=$(median "${h[@]}"); SG=$(median "${sg[@]}"); SH=$(median "${sh[@]}")
HG=$(median "${hg[@]}"); HH=$(median "${hh[@]}"); TG=$(median "${tg[@]}"); TH=$(median "${th[@]}")
cat <<MD
| KV Get, 100-byte value, h2load $clients connections, $requests requests | median req/s | runs (in turn) | / gRPC |
|---|---:|---|---:|
| gRPC (h2c), gRPC port | $G | ${g[*]} | 1.00 |
| gateway JSON (h2c), \`server.http.addr\` | $J | ${j[*]} | $(ratio "$J" "$G") |
| gateway JSON (HTTP/1.1), \`server.http.addr\` | $H | ${h[*]} | $(ratio "$H" "$G") |
| default layout: gRPC (h2c) on the one port | $SG | ${sg[*]} | 1.00 |
| default layout: gateway JSON (HTTP/1.1) on the one port, relayed over the Unix socket | $SH | ${sh[*]} | $(ratio "$SH" "$SG") |
| relay fallback: gRPC (h2c) on the one port | $TG | ${tg[*]} | 1.00 |
| relay fallback: gateway JSON (HTTP/1.1) on the one port, relayed over loopback TCP | $TH | ${th[*]} | $(ratio "$TH" "$TG") (Unix socket / TCP: $(ratio "$SH" "$TH")) |
| \`transport: helidon\`: gRPC (h2c) on the one port | $HG | ${hg[*]} | 1.00 |
| \`transport: helidon\`: gateway JSON (HTTP/1.1) on the one port | $HH | ${hh[*]} | $(ratio "$HH" "$HG") |

Auth and policy on, access log off; $(h2load --version 2>/dev/null | head -1); $(nproc) cores, $(date -u +%Y-%m-%d)
MD
