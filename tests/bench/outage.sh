#!/usr/bin/env bash
# The outage issue's timings, on the default configuration (connect_timeout 5 s, request_timeout
# 10 s): a sidecar on a PostgreSQL of the script's own (initdb in a temporary directory, stopped with
# `pg_ctl stop -m fast` and started again), measured by OutageTiming: time to UNAVAILABLE by client
# deadline with the database down, /readyz while it is down, and time to full throughput after the
# database accepts connections again (16 clients, closed loop, 100 ms buckets).
# Usage: tests/bench/outage.sh [SECONDS]. Needs Debian's PostgreSQL binaries (/usr/lib/postgresql).
set -euo pipefail
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
pgdir="$(mktemp -d)"; pgport=5499
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
as_pg "$bin/initdb" -D "$pgdir/data" -A trust -U postgres >/dev/null
pgctl="$bin/pg_ctl -D $pgdir/data"
pg_start="$pgctl -w -l $pgdir/log -o '-p $pgport -k $pgdir -c listen_addresses=127.0.0.1' start"
[ "$(id -u)" = 0 ] && pg_start="runuser -u postgres -- $pg_start" && pgctl="runuser -u postgres -- $pgctl"
bash -c "$pg_start" >/dev/null
export MEMSIDECAR_BENCH_PG_URL="jdbc:postgresql://127.0.0.1:$pgport/postgres?user=postgres"
. "$(dirname "$0")/common.sh"
cleanup_pg() { bash -c "$pgctl stop -m immediate" >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
seconds="${1:-20}"
bench_build
bench_start "  - { block: kv, name: outage, backend: pg }"
trap 'bench_stop; cleanup_pg' EXIT
"$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.OutageTiming --target "127.0.0.1:$port" --token "$token" \
  --namespace outage --seconds "$seconds" --http "http://127.0.0.1:$port" \
  --stop "$pgctl stop -m fast" --start "$pg_start"
echo "# $(nproc) cores, $(date -u +%Y-%m-%d)"
