#!/usr/bin/env bash
# The HTTP/JSON gateway against gRPC on the same sidecar and port, with one native load generator
# for both (h2load, from Debian's nghttp2-client, installed when missing), so that the client's own
# cost is the same on both sides: memory KV Get of a 100-byte value,
#   gRPC       POST /memsidecar.kv.v1.KV/Get  (h2c, application/grpc, length-prefixed protobuf)
#   gateway    POST /memsidecar.kv.v1.KV/Get  (h2c, application/json)
#   gateway    the same over HTTP/1.1 (h2load --h1)
# ROUNDS (default 3) rounds in turn, medians. Usage: tests/bench/gateway.sh [CLIENTS] [REQUESTS]
. "$(dirname "$0")/common.sh"
clients="${1:-16}"; requests="${2:-200000}"; rounds="${ROUNDS:-3}"
command -v h2load >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null; }
bench_build
bench_start "  - { block: kv, name: bench, backend: mem }"
head -c 100 /dev/urandom | base64 | head -c 100 > "$work/value"
curl -sf -o /dev/null -X PUT -H "x-memsidecar-capability: Bearer $token" --data-binary @"$work/value" \
  "http://127.0.0.1:$port/v1/kv/bench/k"
# GetRequest{namespace: "bench", key: "k"} = 0a 05 "bench" 12 01 "k" (10 bytes), in a gRPC frame
printf '\x00\x00\x00\x00\x0a\x0a\x05bench\x12\x01k' > "$work/grpc.bin"
printf '{"namespace":"bench","key":"k"}' > "$work/json.bin"
url="http://127.0.0.1:$port/memsidecar.kv.v1.KV/Get"
auth="x-memsidecar-capability: Bearer $token"
# run ARGS...: prints req/s, failing when any request did not succeed
run() {
  local out; out="$(h2load -n "$requests" -c "$clients" -m 1 -H "$auth" "$@" "$url" 2>&1)"
  echo "$out" | grep -q "$requests succeeded, 0 failed, 0 errored, 0 timeout" && echo "$out" | grep -q "status codes: $requests 2xx" \
    || { echo "$out" >&2; echo "h2load: not every request succeeded" >&2; return 1; }
  echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p'
}
grpc() { run -H 'content-type: application/grpc' -H 'te: trailers' -d "$work/grpc.bin"; }
json() { run -H 'content-type: application/json' -d "$work/json.bin" "$@"; }
grpc >/dev/null; json >/dev/null # warm-up
declare -a g j h
for _ in $(seq 1 "$rounds"); do g+=("$(grpc)"); j+=("$(json)"); h+=("$(json --h1)"); done
G=$(median "${g[@]}"); J=$(median "${j[@]}"); H=$(median "${h[@]}")
cat <<MD
| KV Get, 100-byte value, h2load $clients connections, $requests requests | median req/s | runs (in turn) | / gRPC |
|---|---:|---|---:|
| gRPC (h2c) | $G | ${g[*]} | 1.00 |
| gateway JSON (h2c) | $J | ${j[*]} | $(ratio "$J" "$G") |
| gateway JSON (HTTP/1.1) | $H | ${h[*]} | $(ratio "$H" "$G") |

Sidecar on the default Helidon transport (gRPC and HTTP share the port), auth and policy on, access log off; $(h2load --version 2>/dev/null | head -1); $(nproc) cores, $(date -u +%Y-%m-%d)
MD
