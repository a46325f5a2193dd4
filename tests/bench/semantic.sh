#!/usr/bin/env bash
# Semantic search benchmark on reproducible data sets (fixed seeds): "uniform" (every coordinate
# uniform in [-1, 1]: no structure, the worst case for HNSW) and "latent" (a random linear map of
# 16-dim Gaussian points plus noise: low intrinsic dimension, like real embeddings).
#   pgvector through the sidecar  vs  the same query over direct JDBC (same SQL shape and HNSW
#                                     settings), one client, p50/p99 and recall@10 against exact
#   memory driver search QPS at 10k and 100k vectors (exact search), CLIENTS clients
# Usage: tests/bench/semantic.sh [VECTORS] [QUERIES] [SECONDS] [CLIENTS]; env EF (hnsw.ef_search,
# default 100), DIMS (384). Prints a Markdown table.
. "$(dirname "$0")/common.sh"
vectors="${1:-100000}"; queries="${2:-1000}"; seconds="${3:-10}"; clients="${4:-4}"
ef="${EF:-100}"; dims="${DIMS:-384}"
psql_args=(${MEMSIDECAR_BENCH_PSQL:--h 127.0.0.1 -U postgres -d test})
bench_build
# a fresh table for every run
psql "${psql_args[@]}" -q -c "DROP TABLE IF EXISTS semantic_vecpg, semantic_veclat" \
  -c "DO \$\$ BEGIN IF to_regclass('semantic_namespaces') IS NOT NULL THEN DELETE FROM semantic_namespaces WHERE name IN ('vecpg', 'veclat'); END IF; END \$\$" >/dev/null
fake="embedder: { provider: fake, dimensions: $dims }"
JAVA_OPTS="-Xmx2g" bench_start "  - { block: semantic, name: vecpg, backend: pg, $fake, hnsw: { ef_search: $ef } }
  - { block: semantic, name: veclat, backend: pg, $fake, hnsw: { ef_search: $ef } }
  - { block: semantic, name: vecmem10k, backend: mem, $fake }
  - { block: semantic, name: vecmem100k, backend: mem, $fake }"
sload() { "$JAVA_HOME/bin/java" -Xmx2g -cp "$cp" io.memsidecar.tests.bench.SemanticLoad --target "127.0.0.1:$port" \
  --token "$token" --dims "$dims" --queries "$queries" "$@"; }
# pgrun NAMESPACE DATA: loads the data set through the sidecar, then measures latency and recall
pgrun() {
  sload --op load --namespace "$1" --data "$2" --vectors "$vectors" --clients 2
  psql "${psql_args[@]}" -q -c "VACUUM ANALYZE semantic_$1" >/dev/null
  sload --op latency --namespace "$1" --data "$2" --vectors "$vectors" --jdbc "$pg" --table "semantic_$1" --ef-search "$ef"
}
lat="$(pgrun vecpg uniform)"
latlat="$(pgrun veclat latent)"
sload --op load --namespace vecmem10k --vectors 10000 --clients 2 >/dev/null
mem10k="$(sload --op qps --namespace vecmem10k --vectors 10000 --clients "$clients" --seconds "$seconds")"
sload --op load --namespace vecmem100k --vectors "$vectors" --clients 2 >/dev/null
mem100k="$(sload --op qps --namespace vecmem100k --vectors "$vectors" --clients "$clients" --seconds "$seconds")"
line() { echo "$1" | grep "\"op\":\"$2\""; }
pgrow() { # data output
  local side direct rec; side="$(line "$2" search-sidecar)"; direct="$(line "$2" search-direct-jdbc)"; rec="$(line "$2" recall)"
  echo "| Search top-10, pgvector HNSW via sidecar, $1 $vectors × $dims, 1 client | $(echo "$side" | field p50_us) | $(echo "$side" | field p99_us) | $(echo "$rec" | field sidecar_recall_at_10) | direct JDBC: p50 $(echo "$direct" | field p50_us), p99 $(echo "$direct" | field p99_us), recall $(echo "$rec" | field direct_recall_at_10) | p50 $(ratio "$(echo "$side" | field p50_us)" "$(echo "$direct" | field p50_us)"), p99 $(ratio "$(echo "$side" | field p99_us)" "$(echo "$direct" | field p99_us)") |"
}
memrow() { # size output
  local q r; q="$(line "$2" search-qps)"; r="$(line "$2" recall)"
  echo "| Search top-10, memory driver (exact), uniform $1 × $dims, $clients clients: $(echo "$q" | field ops_per_s) searches/s | $(echo "$q" | field p50_us) | $(echo "$q" | field p99_us) | $(echo "$r" | field sidecar_recall_at_10) | | |"
}
cat <<MD
| measurement | p50 µs | p99 µs | recall@10 | baseline (µs) | sidecar / direct |
|---|---:|---:|---:|---|---:|
$(pgrow uniform "$lat")
$(pgrow latent "$latlat")
$(memrow "10 000" "$mem10k")
$(memrow "$vectors" "$mem100k")

Load through the sidecar (batches of 500, 2 clients, HNSW maintained on insert), uniform $(line "$lat" load | field ops_per_s) vectors/s, latent $(line "$latlat" load | field ops_per_s) vectors/s.
hnsw: m=16, ef_construction=64, ef_search=$ef; queries=$queries seconds=$seconds, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
