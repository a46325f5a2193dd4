#!/usr/bin/env bash
# Graph Traverse benchmark on a reproducible power-law graph (fixed seed; GraphLoad's Javadoc).
#   PostgreSQL: Traverse through the sidecar  vs  the same driver code issuing the same queries
#               over direct JDBC in the benchmark's own process
#   memory:     Traverse through the sidecar  vs  the memory driver in the benchmark's process
# depth 1, 2 and 3 (OUT, default max_nodes 1000) from STARTS random nodes, one client, p50/p99;
# plus the p50 of one unary gRPC round trip to the same sidecar (the hop's floor). Each is measured
# over TCP (Helidon) and over the Unix socket (grpc-netty).
# Usage: tests/bench/graph.sh [NODES] [EDGES] [STARTS]. Prints a Markdown table.
. "$(dirname "$0")/common.sh"
nodes="${1:-100000}"; edges="${2:-1000000}"; starts="${3:-1000}"
psql_args=(${MEMSIDECAR_BENCH_PSQL:--h 127.0.0.1 -U postgres -d test})
bench_build
JAVA_OPTS="-Xmx3g" bench_start "  - { block: graph, name: kgpg, backend: pg }
  - { block: graph, name: kgmem, backend: mem }
  - { block: kv, name: rtt, backend: mem }"
# a fresh graph for every run (the tables exist: the server migrated them)
psql "${psql_args[@]}" -q -c "DELETE FROM graph_edges WHERE namespace = 'kgpg'" -c "DELETE FROM graph_nodes WHERE namespace = 'kgpg'" >/dev/null
gload() { "$JAVA_HOME/bin/java" -Xmx3g -cp "$cp" io.memsidecar.tests.bench.GraphLoad --target "127.0.0.1:$port" \
  --token "$token" --nodes "$nodes" --edges "$edges" --starts "$starts" "$@"; }
loadpg="$(gload --op load --namespace kgpg --clients 2)"
psql "${psql_args[@]}" -q -c "VACUUM ANALYZE graph_edges" -c "VACUUM ANALYZE graph_nodes" >/dev/null
latpg="$(gload --op latency --namespace kgpg --jdbc "$pg")"
udspg="$(gload --op latency --namespace kgpg --jdbc "$pg" --unix "$work/sidecar.sock")"
loadmem="$(gload --op load --namespace kgmem --clients 2)"
latmem="$(gload --op latency --namespace kgmem)"
udsmem="$(gload --op latency --namespace kgmem --unix "$work/sidecar.sock")"
line() { echo "$1" | grep "\"op\":\"$2\""; }
row() { # driver output depth
  local s d rtt allowed; s="$(line "$2" "traverse-$3-sidecar")"; d="$(line "$2" "traverse-$3-direct")"
  rtt="$(line "$2" grpc-round-trip | field p50_us)"
  allowed="$(awk -v d="$(echo "$d" | field p50_us)" -v r="$rtt" 'BEGIN { printf "%.0f", 1.15 * d + r }')"
  echo "| $1, depth $3 ($(line "$2" "depth-$3" | field mean_nodes) nodes, $(line "$2" "depth-$3" | field mean_bytes) bytes on average) | $(echo "$s" | field p50_us) | $(echo "$s" | field p99_us) | $(echo "$d" | field p50_us) | $(echo "$d" | field p99_us) | $(ratio "$(echo "$s" | field p50_us)" "$(echo "$d" | field p50_us)") | $(ratio "$(echo "$s" | field p99_us)" "$(echo "$d" | field p99_us)") | $allowed ($( [ "$(echo "$s" | field p50_us | cut -d. -f1)" -le "$allowed" ] && echo met || echo missed)) |"
}
cat <<MD
| Traverse (OUT), 1 client | sidecar p50 µs | sidecar p99 µs | in-process driver p50 µs | in-process p99 µs | p50 ratio | p99 ratio | target p50 ≤ 1.15 × direct + round trip (µs) |
|---|---:|---:|---:|---:|---:|---:|---|
$(row "PostgreSQL" "$latpg" 1)
$(row "PostgreSQL" "$latpg" 2)
$(row "PostgreSQL" "$latpg" 3)
$(row "memory" "$latmem" 1)
$(row "memory" "$latmem" 2)
$(row "memory" "$latmem" 3)
$(row "PostgreSQL over the Unix socket" "$udspg" 1)
$(row "PostgreSQL over the Unix socket" "$udspg" 2)
$(row "PostgreSQL over the Unix socket" "$udspg" 3)
$(row "memory over the Unix socket" "$udsmem" 1)
$(row "memory over the Unix socket" "$udsmem" 2)
$(row "memory over the Unix socket" "$udsmem" 3)

One unary gRPC round trip to the sidecar (memory KV Get), p50 over TCP: $(line "$latpg" grpc-round-trip | field p50_us) µs (PostgreSQL run), $(line "$latmem" grpc-round-trip | field p50_us) µs (memory run); over the Unix socket: $(line "$udspg" grpc-round-trip | field p50_us) µs, $(line "$udsmem" grpc-round-trip | field p50_us) µs. The target column adds the round trip of the same run and transport.
Load through the sidecar (UpsertNodes/UpsertEdges, batches of 1000, 2 clients): PostgreSQL $(line "$loadpg" load | field rows_per_s) rows/s, memory $(line "$loadmem" load | field rows_per_s) rows/s.
$nodes nodes, $edges edges, $starts start nodes, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
