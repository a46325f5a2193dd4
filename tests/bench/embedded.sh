#!/usr/bin/env bash
# The durable embedded store (driver: sqlite) against the memory driver and PostgreSQL, one
# sidecar, same run, same clients:
#   KV Put / Get (100-byte values), episodic Append   — CLIENTS closed-loop clients each
#   semantic Search top-10 on VECTORS latent 384-d vectors (SemanticLoad's "latent" set: real
#   embeddings' low intrinsic dimension), 2 clients, recall@10 against brute force
#   then a restart: seconds until /readyz with the saved ANN graph, and the same search again.
# Usage: tests/bench/embedded.sh [CLIENTS] [SECONDS] [VECTORS]; prints a Markdown table.
# Needs PostgreSQL (with pgvector) at $MEMSIDECAR_BENCH_PG_URL.
. "$(dirname "$0")/common.sh"
clients="${1:-8}"; seconds="${2:-10}"; vectors="${3:-100000}"
psql_args=(${MEMSIDECAR_BENCH_PSQL:--h 127.0.0.1 -U postgres -d test})
bench_build
psql "${psql_args[@]}" -q -c "DROP TABLE IF EXISTS semantic_embpg" \
  -c "DO \$\$ BEGIN IF to_regclass('semantic_namespaces') IS NOT NULL THEN DELETE FROM semantic_namespaces WHERE name = 'embpg'; END IF; END \$\$" >/dev/null
lite="$(mktemp -d)"
trap 'rm -rf "$lite"' EXIT
fake="embedder: { provider: fake, dimensions: 384 }"
namespaces="  - { block: kv, name: kv-mem, backend: mem }
  - { block: kv, name: kv-lite, backend: lite }
  - { block: kv, name: kv-pg, backend: pg }
  - { block: episodic, name: ev-mem, backend: mem }
  - { block: episodic, name: ev-lite, backend: lite }
  - { block: episodic, name: ev-pg, backend: pg }
  - { block: semantic, name: embmem, backend: mem, $fake }
  - { block: semantic, name: emblite, backend: lite, $fake }
  - { block: semantic, name: embpg, backend: pg, $fake }"
backend="  - { name: lite, driver: sqlite, options: { path: \"$lite/memsidecar.db\" } }"
export JAVA_OPTS="-Xmx3g"
bench_start "$namespaces" "$backend"
kload() { local ns="$1"; shift; "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad --target "127.0.0.1:$port" \
  --token "$token" --seconds "$seconds" --clients "$clients" --namespace "$ns" "$@"; }
mload() { local ns="$1"; shift; "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.MemoryLoad --target "127.0.0.1:$port" \
  --token "$token" --seconds "$seconds" --clients "$clients" --namespace "$ns" "$@"; }
sload() { local ns="$1"; shift; "$JAVA_HOME/bin/java" -Xmx2g -cp "$cp" io.memsidecar.tests.bench.SemanticLoad \
  --target "127.0.0.1:$port" --token "$token" --namespace "$ns" --dims 384 --data latent --vectors "$vectors" \
  --queries 500 "$@"; }
declare -A r
for b in mem lite pg; do
  kload "kv-$b" --op put >/dev/null # warm-up, and the keys the Gets read
  r[put-$b]="$(kload "kv-$b" --op put)"
  r[get-$b]="$(kload "kv-$b" --op get)"
  r[app-$b]="$(mload "ev-$b" --op append)"
  r[load-$b]="$(sload "emb$b" --op load --clients 2)"
done
psql "${psql_args[@]}" -q -c "VACUUM ANALYZE semantic_embpg" >/dev/null
for b in mem lite pg; do
  r[search-$b]="$(sload "emb$b" --op qps --clients 2 --seconds "$seconds")"
done
# restart on the same file: the graph saved at shutdown is read back, not rebuilt
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
t0=$(date +%s.%N)
JAVA_OPTS="$JAVA_OPTS" $dist/bin/memsidecar --config "$work/bench.yaml" >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true; rm -rf "$work" "$lite"' EXIT
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.1; done
ready="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
r[search-again]="$(sload emblite --op qps --clients 2 --seconds "$seconds")"
line() { echo "$1" | grep "\"op\":\"$2\""; }
row() { # name result
  echo "| $1 | $(echo "$2" | field ops_per_s) | $(echo "$2" | field p50_us) | $(echo "$2" | field p99_us) |"
}
srow() { # name result
  local q; q="$(line "$2" search-qps)"
  echo "| $1 | $(echo "$q" | field ops_per_s) | $(echo "$q" | field p50_us) | $(echo "$q" | field p99_us) | $(line "$2" recall | field sidecar_recall_at_10) |"
}
cat <<MD
| measurement ($clients clients unless said) | memory ops/s | sqlite ops/s | PostgreSQL ops/s | sqlite / memory | sqlite / PostgreSQL |
|---|---:|---:|---:|---:|---:|
$(for m in put get app; do
  case $m in put) n="KV Put";; get) n="KV Get";; app) n="Append";; esac
  a="$(echo "${r[$m-mem]}" | field ops_per_s)"; b="$(echo "${r[$m-lite]}" | field ops_per_s)"; c="$(echo "${r[$m-pg]}" | field ops_per_s)"
  echo "| $n | $a | $b | $c | $(ratio "$b" "$a") | $(ratio "$b" "$c") |"
done)
$(a="$(line "${r[search-mem]}" search-qps | field ops_per_s)"; b="$(line "${r[search-lite]}" search-qps | field ops_per_s)"; c="$(line "${r[search-pg]}" search-qps | field ops_per_s)"
  echo "| Search top-10, $vectors × 384 latent, 2 clients | $a | $b | $c | $(ratio "$b" "$a") | $(ratio "$b" "$c") |")
$(a="$(echo "${r[load-mem]}" | field ops_per_s)"; b="$(echo "${r[load-lite]}" | field ops_per_s)"; c="$(echo "${r[load-pg]}" | field ops_per_s)"
  echo "| Upsert (batches of 500, 2 clients), vectors/s | $a | $b | $c | $(ratio "$b" "$a") | $(ratio "$b" "$c") |")

| driver | measurement | ops/s | p50 µs | p99 µs |
|---|---|---:|---:|---:|
$(for b in mem lite pg; do
  row "$b | KV Put" "${r[put-$b]}"; row "$b | KV Get" "${r[get-$b]}"; row "$b | Append" "${r[app-$b]}"
done)

| Search top-10, $vectors × 384 latent, 2 clients | searches/s | p50 µs | p99 µs | recall@10 |
|---|---:|---:|---:|---:|
$(srow "memory (exact)" "${r[search-mem]}")
$(srow "sqlite (jvector graph, ef_search 100)" "${r[search-lite]}")
$(srow "PostgreSQL (pgvector HNSW, ef_search 100)" "${r[search-pg]}")
$(srow "sqlite after a restart (graph read back)" "${r[search-again]}")

Restart with $vectors vectors in the SQLite namespace: ready after $ready s.
seconds=$seconds, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
