#!/usr/bin/env bash
# Start-up and memory of the edge runtime (packaging/runtime.sh: jlink, sidecar JVM flags, AOT cache)
# vs the plain distribution on the same JDK, measured in one run, KV-only config (docs/benchmarks.md):
#   ready     launch → first successful KV Get over the curl route (one Put first; polled every 5 ms)
#   idle RSS  3 s after ready
#   RSS after 100k KV puts (4 gRPC clients, 100k distinct keys, 100-byte values)
#   RSS and CPU under a fixed 1000 KV Get/s (gRPC) for 10 s, after 3 s of the same
#   stop      SIGTERM → exit (and its code)
# Usage: tests/bench/startup.sh [RUNS] (default 5; ready/idle are medians). Needs curl.
. "$(dirname "$0")/common.sh"
runs="${1:-5}"
limit=256m   # both JVMs size themselves as in a container with this memory limit (k8s/ asks for it)
bench_build
runtime=server/target/memsidecar-runtime
packaging/runtime.sh >/dev/null 2>&1 || { echo "packaging/runtime.sh failed" >&2; exit 1; }
bench_keys
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cat > "$work/kv.yaml" <<YAML
server: { grpc: { tcp: "127.0.0.1:$port" } }
logging: { level: warn, access: false }
auth: { paseto: { public_key_hexes: ["$public"] } }
data_dir: $work/data
backends: [ { name: mem, driver: memory } ]
namespaces: [ { block: kv, name: bench, backend: mem } ]
YAML
H="x-memsidecar-capability: Bearer $token"
url="http://127.0.0.1:$port/v1/kv/bench/ready"
rss() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# one_start DIR: sets $ready_ms and $idle_rss (MiB), leaves the server running as $pid
one_start() {
  local t0 t1
  t0="$(date +%s%N)"
  JAVA_OPTS="-XX:MaxRAM=$limit" "$1/bin/memsidecar" --config "$work/kv.yaml" >"$work/server.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null -X PUT -H "$H" --data-binary v "$url" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
    sleep 0.005
  done
  curl -sf -o /dev/null -H "$H" "$url"
  t1="$(date +%s%N)"
  ready_ms=$(( (t1 - t0) / 1000000 ))
  sleep 3
  idle_rss="$(rss "$pid")"
}
# stop: SIGTERM, sets $stopped to the time to exit and the exit code
stop() {
  local t0 code=0
  t0="$(date +%s%N)"; kill -TERM "$pid"; wait "$pid" || code=$?
  stopped="$(( ($(date +%s%N) - t0) / 1000000 )) ms, exit $code"
}
load() { "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad --target "127.0.0.1:$port" --token "$token" \
  --namespace bench "$@" >/dev/null; }
row() {
  local label="$1" dir="$2" ready=() idle=() puts_rss rate_rss c0 c1 stopped
  for _ in $(seq 1 "$runs"); do
    one_start "$dir"; ready+=("$ready_ms"); idle+=("$idle_rss")
    if [ ${#ready[@]} -lt "$runs" ]; then stop; fi
  done
  load --op put --keys 100000 --clients 4 --warmup-seconds 0 --seconds 8
  puts_rss="$(rss "$pid")"
  load --op get --keys 1000 --clients 4 --rate 1000 --warmup-seconds 0 --seconds 3   # warm-up, not counted
  c0="$(cpu_ticks "$pid")"
  load --op get --keys 1000 --clients 4 --rate 1000 --warmup-seconds 0 --seconds 10
  c1="$(cpu_ticks "$pid")"; rate_rss="$(rss "$pid")"
  stop
  echo "| $label | $(printf '%s\n' "${ready[@]}" | median) ms | $(printf '%s\n' "${idle[@]}" | median) MiB | $puts_rss MiB | $rate_rss MiB, $(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz / 10 }') vCPU | $stopped | $(du -sh --apparent-size "$dir" | cut -f1) |"
}
plain="$(row "plain distribution ($(basename "$JAVA_HOME"), JVM defaults, lib/onnx and lib/s3 included)" "$dist")"
edge="$(row "edge runtime (jlink, $(cat packaging/memsidecar.jvmflags), AOT cache; no onnx, no s3)" "$runtime")"
cat <<MD
| KV-only config | ready (median of $runs) | idle RSS | RSS after 100k puts | at 1000 Get/s: RSS, CPU | SIGTERM stop | size on disk |
|---|---:|---:|---:|---:|---:|---:|
$plain
$edge

runs=$runs, $(nproc) cores, both with -XX:MaxRAM=$limit (sized as in a container with that limit), $(date -u +%Y-%m-%d)
MD
