#!/usr/bin/env bash
# Start-up and memory of the edge runtime (packaging/runtime.sh: jlink, sidecar JVM flags, AOT cache)
# vs the plain distribution on the same JDK, measured in one run, on the EMBEDDED DEFAULT (no --config:
# SQLite and files in a data directory, metrics on; what `bin/memsidecar` runs), each JVM in a memory
# cgroup limited to 256 MiB (a container's limit; -XX:MaxRAM=256m where no cgroup can be made):
#   ready     launch → /readyz answers 200 and a first KV Put over the curl route succeeds (polled every 5 ms)
#   idle RSS  3 s and 10 s after ready
#   RSS after 100k KV puts (4 gRPC clients, 100k distinct keys, 100-byte values, into SQLite)
#   RSS and CPU under a fixed 1000 KV Get/s (gRPC) for 10 s, after 3 s of the same
#   stop      SIGTERM → exit (and its code)
# With podman, also the OCI image (packaging/image.sh) under `podman run --memory 256m`: launch → ready, RSS.
# Usage: tests/bench/startup.sh [RUNS] (default 5; ready/idle are medians). Needs curl; run as root for the cgroup.
. "$(dirname "$0")/common.sh"
runs="${1:-5}"
limit=256m
bench_build
runtime=server/target/memsidecar-runtime
packaging/runtime.sh >/dev/null 2>&1 || { echo "packaging/runtime.sh failed" >&2; exit 1; }
work="$(mktemp -d)"
# the memory cgroup the servers start in (v2, or v1's memory controller)
cgroup=""
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then parent=/sys/fs/cgroup; limit_file=memory.max   # cgroup v2
else parent=/sys/fs/cgroup/memory; limit_file=memory.limit_in_bytes; fi                         # v1's memory controller
if [ -e "$parent/cgroup.procs" ] && mkdir "$parent/memsidecar-bench-$$" 2>/dev/null; then
  if [ -e "$parent/memsidecar-bench-$$/$limit_file" ] && echo $limit > "$parent/memsidecar-bench-$$/$limit_file"; then
    cgroup="$parent/memsidecar-bench-$$"
  else
    rmdir "$parent/memsidecar-bench-$$"
  fi
fi
cleanup() { kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"; if [ -n "$cgroup" ]; then rmdir "$cgroup" 2>/dev/null || true; fi; }
trap cleanup EXIT
if [ -n "$cgroup" ]; then where="in a memory cgroup limited to $limit"; java_opts=""; else where="with -XX:MaxRAM=$limit (no cgroup could be made)"; java_opts="-XX:MaxRAM=$limit"; fi
url="http://127.0.0.1:$port/v1/kv/scratchpad/ready"
rss() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# one_start DIR DATA: sets $ready_ms, $idle_rss and $idle10_rss (MiB), leaves the server running as $pid
one_start() {
  local t0 t1 token
  t0="$(date +%s%N)"
  (if [ -n "$cgroup" ]; then echo $BASHPID > "$cgroup/cgroup.procs"; fi
   MEMSIDECAR_DATA_DIR="$2" MEMSIDECAR_SERVER__GRPC__TCP="127.0.0.1:$port" MEMSIDECAR_METRICS__PROMETHEUS__ADDR=127.0.0.1:0 \
     JAVA_OPTS="$java_opts" exec "$1/bin/memsidecar") >"$work/server.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
    sleep 0.005
  done
  token="$(cat "$2/token")"
  curl -sf -o /dev/null -X PUT -H "x-memsidecar-capability: Bearer $token" --data-binary v "$url"
  t1="$(date +%s%N)"
  ready_ms=$(( (t1 - t0) / 1000000 ))
  sleep 3; idle_rss="$(rss "$pid")"
  sleep 7; idle10_rss="$(rss "$pid")"
}
# stop: SIGTERM, sets $stopped to the time to exit and the exit code
stop() {
  local t0 code=0
  t0="$(date +%s%N)"; kill -TERM "$pid"; wait "$pid" || code=$?
  stopped="$(( ($(date +%s%N) - t0) / 1000000 )) ms, exit $code"
}
load() { "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad --target "127.0.0.1:$port" \
  --token "$(cat "$data/token")" --namespace scratchpad "$@" >/dev/null; }
row() {
  local label="$1" dir="$2" ready=() idle=() idle10=() puts_rss rate_rss c0 c1 stopped
  data="$work/data-$(basename "$dir")"   # one data directory per variant: the first start creates it, the others restart on it
  for _ in $(seq 1 "$runs"); do
    one_start "$dir" "$data"; ready+=("$ready_ms"); idle+=("$idle_rss"); idle10+=("$idle10_rss")
    if [ ${#ready[@]} -lt "$runs" ]; then stop; fi
  done
  load --op put --keys 100000 --clients 4 --warmup-seconds 0 --seconds 8
  puts_rss="$(rss "$pid")"
  load --op get --keys 1000 --clients 4 --rate 1000 --warmup-seconds 0 --seconds 3   # warm-up, not counted
  c0="$(cpu_ticks "$pid")"
  load --op get --keys 1000 --clients 4 --rate 1000 --warmup-seconds 0 --seconds 10
  c1="$(cpu_ticks "$pid")"; rate_rss="$(rss "$pid")"
  stop
  echo "$(median "${ready[@]}") $(median "${idle[@]}") $(median "${idle10[@]}")" > "$work/medians-$(basename "$dir")"
  echo "| $label | $(median "${ready[@]}") ms | $(median "${idle[@]}") / $(median "${idle10[@]}") MiB | $puts_rss MiB | $rate_rss MiB, $(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz / 10 }') vCPU | $stopped | $(du -sh --apparent-size "$dir" | cut -f1) |"
}
# image: the OCI image under podman with a 256 MiB limit, the embedded default on a fresh volume each start
image_row() {
  local ready=() idle=() vol t0 t1 cpid
  . packaging/podman.sh
  packaging/image.sh --tag memsidecar:bench >/dev/null 2>&1 || { echo "| OCI image | packaging/image.sh failed |"; return; }
  for _ in $(seq 1 "$runs"); do
    podman_ rm -f memsidecar-bench >/dev/null 2>&1 || true
    vol="$(podman_ volume create)"
    t0="$(date +%s%N)"
    podman_ run -d --name memsidecar-bench --memory $limit --network host -v "$vol:/var/lib/memsidecar" \
      -e MEMSIDECAR_SERVER__GRPC__TCP="127.0.0.1:$port" -e MEMSIDECAR_METRICS__PROMETHEUS__ADDR=127.0.0.1:0 \
      --entrypoint '["/opt/memsidecar/jre/bin/java","@/opt/memsidecar/lib/memsidecar.args"]' memsidecar:bench >/dev/null
    until curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; do sleep 0.005; done
    t1="$(date +%s%N)"; ready+=($(( (t1 - t0) / 1000000 )))
    cpid="$(podman_ inspect --format '{{.State.Pid}}' memsidecar-bench)"
    sleep 3; idle+=("$(rss "$cpid")")
    podman_ rm -f memsidecar-bench >/dev/null; podman_ volume rm "$vol" >/dev/null
  done
  echo "| OCI image (\`podman run --memory $limit\`, a fresh volume each start; ready includes the container's start) | $(median "${ready[@]}") ms | $(median "${idle[@]}") MiB (3 s) | | | | |"
}
# The baseline: the plain distribution on the stock JDK with the same jars as the edge runtime. With lib/onnx the
# embedded default also loads the in-process embedder's model, and 256 MiB is not enough for that (OOM-killed).
plain_dir="$work/memsidecar"
cp -r "$dist" "$plain_dir" && rm -rf "$plain_dir/lib/onnx" "$plain_dir/lib/s3"
plain="$(row "plain distribution ($(basename "$JAVA_HOME"), JVM defaults, no AOT cache; no onnx, no s3)" "$plain_dir")"
edge="$(row "edge runtime (jlink, $(cat "$runtime/lib/memsidecar.jvmflags"), AOT cache; no onnx, no s3)" "$runtime")"
image=""
if command -v podman >/dev/null; then image="$(image_row)"; fi
read -r p_ready p_idle p_idle10 < "$work/medians-$(basename "$plain_dir")"
read -r e_ready e_idle e_idle10 < "$work/medians-$(basename "$runtime")"
cat <<MD
| embedded default | ready (median of $runs) | idle RSS 3 s / 10 s | RSS after 100k puts | at 1000 Get/s: RSS, CPU | SIGTERM stop | size on disk |
|---|---:|---:|---:|---:|---:|---:|
$plain
$edge
$image

edge / plain: ready $(ratio "$e_ready" "$p_ready")x, idle RSS $(ratio "$e_idle" "$p_idle")x (3 s), $(ratio "$e_idle10" "$p_idle10")x (10 s)
runs=$runs, $(nproc) cores, each JVM $where, $(date -u +%Y-%m-%d)
MD
