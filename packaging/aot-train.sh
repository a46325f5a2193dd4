#!/usr/bin/env bash
# Trains the AOT cache of a runtime (JDK 25, JEP 483/514/515): runs RUNTIME/bin/memsidecar with
# -XX:AOTCacheOutput on a config with the embedded default's drivers (SQLite, files) and the memory driver, TCP and a Unix socket, drives a scripted
# workload over the curl routes, the gateway and gRPC (memctl), stops it with SIGTERM; the JVM writes
# RUNTIME/lib/memsidecar.aot at exit. The launcher uses the cache whenever it is present.
# Usage: packaging/aot-train.sh RUNTIME
set -euo pipefail
rt="$(cd "$1" && pwd)"
work="$(mktemp -d)"
pid=""
trap 'if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
read -r secret public < <("$rt/bin/memctl" gen-keypair | awk '/secret/{s=$NF} /public/{p=$NF} END{print s, p}')
cat > "$work/train.yaml" <<YAML
server:
  grpc: { tcp: "127.0.0.1:0", uds: "$work/memsidecar.sock" }
  shutdown_timeout: 2s
auth: { paseto: { public_key_hexes: ["$public"] } }
metrics: { exporter: prometheus, prometheus: { addr: "127.0.0.1:0" } }
data_dir: $work/data
backends:
  - { name: mem, driver: memory }
  - { name: local, driver: sqlite, options: { path: "$work/data/memsidecar.db" } }
  - { name: disk, driver: fs, options: { base_dir: "$work/data/artifacts" } }
namespaces:
  - { block: kv, name: train, backend: mem }
  - { block: kv, name: local, backend: local }
  - { block: episodic, name: events, backend: local }
  - { block: lease, name: locks, backend: local }
  - { block: artifact, name: blobs, backend: disk }
  - { block: graph, name: knowledge, backend: local }
YAML
token="$("$rt/bin/memctl" token issue --secret-key-hex "$secret" --tenant t --ns '*' --ops '*')"
MEMSIDECAR_AOT_OUTPUT=1 JAVA_OPTS="-XX:AOTCacheOutput=$rt/lib/memsidecar.aot -Xlog:aot=warning,cds=warning" \
  "$rt/bin/memsidecar" --config "$work/train.yaml" > "$work/server.log" 2>&1 &
pid=$!
# the port the system chose, from the start-up log line of the API listener
port=""
for _ in $(seq 1 600); do
  port="$(sed -n 's/.*"transport":"grpc+http","addr":"127.0.0.1:\([0-9]*\)".*/\1/p' "$work/server.log")"
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$port" ] || { echo "aot-train: the training server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"
H="x-memsidecar-capability: Bearer $token"
for i in $(seq 1 30); do
  for ns in train local; do
    curl -sf -X PUT -H "$H" --data-binary "v$i" "$base/v1/kv/$ns/k$i" >/dev/null
    curl -sf -H "$H" "$base/v1/kv/$ns/k$i" >/dev/null
  done
  curl -sf -H "$H" -d "{\"namespace\":\"train\",\"key\":\"g$i\",\"value\":\"aGk=\"}" "$base/memsidecar.kv.v1.KV/Put" >/dev/null
  curl -sf -H "$H" -d "{\"namespace\":\"train\",\"key\":\"g$i\"}" "$base/memsidecar.kv.v1.KV/Get" >/dev/null
  curl -sf -H "$H" -d '{"namespace":"events","type":"message","role":"user","sessionId":"s","payload":"aGk="}' \
    "$base/memsidecar.episodic.v1.Episodic/Append" >/dev/null
done
curl -sf -H "$H" "$base/v1/kv/train?prefix=k&values=true" >/dev/null
curl -sf -H "$H" -d '{"namespace":"locks","key":"a","ttl":"5s"}' "$base/memsidecar.lease.v1.Lease/Acquire" >/dev/null
head -c 1048576 /dev/zero | curl -sf -T - -H "$H" "$base/v1/artifacts/blobs/a" >/dev/null
curl -sf -H "$H" "$base/v1/artifacts/blobs/a" -o /dev/null
curl -sf -X PUT -H "$H" -d '{"labels":["City"]}' "$base/v1/graph/knowledge/nodes/paris" >/dev/null
curl -sf -H "$H" "$base/v1/graph/knowledge/nodes/paris/neighbors" >/dev/null
curl -sf "$base/livez" >/dev/null
for i in 1 2 3; do
  MEMSIDECAR_TOKEN="$token" "$rt/bin/memctl" kv put --addr "127.0.0.1:$port" train m$i "v$i" >/dev/null
  MEMSIDECAR_TOKEN="$token" "$rt/bin/memctl" kv get --addr "127.0.0.1:$port" train m$i >/dev/null
done
kill -TERM "$pid"
wait "$pid" || { echo "aot-train: the training server failed:" >&2; cat "$work/server.log" >&2; exit 1; }
[ -s "$rt/lib/memsidecar.aot" ] || { echo "aot-train: no AOT cache written:" >&2; cat "$work/server.log" >&2; exit 1; }
echo "aot-train: $rt/lib/memsidecar.aot ($(du -h "$rt/lib/memsidecar.aot" | cut -f1))"
