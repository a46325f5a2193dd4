#!/usr/bin/env bash
# What observability costs: memory KV Get over gRPC (CLIENTS clients, closed loop) on a server with
# metrics and tracing off; with Prometheus metrics on; and with metrics on and tracing at
# sample_ratio 0.1 (spans exported as OTLP JSON lines to stdout, i.e. the server's log file).
# The servers run in turn — off, metrics, both — for ROUNDS rounds (default 3); medians. Then the
# observe filter's own cost per call, in process (ObserveCost), free of the loopback's noise.
# Usage: tests/bench/observe.sh [CLIENTS] [SECONDS]. Prints a Markdown table.
. "$(dirname "$0")/common.sh"
clients="${1:-16}"; seconds="${2:-10}"
bench_build
rounds="${ROUNDS:-3}"
ns="  - { block: kv, name: bench, backend: mem }"
metrics_yaml="metrics: { exporter: prometheus, prometheus: { addr: \"127.0.0.1:0\" } }"
on_yaml="$metrics_yaml
tracing: { exporter: stdout, sample_ratio: 0.1 }"
run() { # YAML -> ops/s of KvLoad get
  BENCH_TOP_YAML="$1" bench_start "$ns"
  "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad --target "127.0.0.1:$port" --token "$token" \
    --clients "$clients" --seconds "$seconds" --op get --namespace bench | field ops_per_s
  bench_stop
}
off=(); met=(); on=()
for _ in $(seq 1 "$rounds"); do off+=("$(run "")"); met+=("$(run "$metrics_yaml")"); on+=("$(run "$on_yaml")"); done
cost="$("$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.ObserveCost 2>/dev/null)"
cat <<MD
| memory KV Get, gRPC, $clients clients, closed loop | median ops/s | runs (in turn) | observe filter alone, ns/call (in process) |
|---|---:|---|---:|
| metrics and tracing off | $(median "${off[@]}") | ${off[*]} | $(echo "$cost" | grep observe-off | field ns_per_call) |
| Prometheus metrics on | $(median "${met[@]}") | ${met[*]} | $(echo "$cost" | grep 'observe-metrics"' | field ns_per_call) |
| metrics on, tracing sample_ratio 0.1 | $(median "${on[@]}") | ${on[*]} | $(echo "$cost" | grep observe-metrics+tracing | field ns_per_call) |

median throughput, metrics on / off: **$(ratio "$(median "${met[@]}")" "$(median "${off[@]}")")**; metrics and tracing on / off: **$(ratio "$(median "${on[@]}")" "$(median "${off[@]}")")**; seconds=$seconds per run, $rounds rounds, $(nproc) cores, $(date -u +%Y-%m-%d)
MD
