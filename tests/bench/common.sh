# Sourced by the benchmark scripts: builds, mints a token, starts the packaged server on
# 127.0.0.1:$port (and the Unix socket $work/sidecar.sock) with the YAML given to bench_start,
# and stops it on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# The JDK ./dev would use, so a script also runs on its own.
. bin/find-java.sh
JAVA_HOME="$(memsidecar_find_java_home)" || { echo "no JDK >= 21 found" >&2; exit 1; }
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
pg="${MEMSIDECAR_BENCH_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}"
port=7788
dist=server/target/memsidecar
# bench_python: the distribution, and a virtual environment with the Python SDK ($venv: target/bench-python).
bench_python() {
  ./dev mvn -B -q -DskipTests package
  venv=target/bench-python
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check ./sdk/python
}
bench_build() {
  ./mvnw -B -q -DskipTests install >/dev/null
  ./mvnw -B -q -pl tests dependency:build-classpath -Dmdep.outputFile=target/bench.cp >/dev/null
  cp="tests/target/classes:$(cat tests/target/bench.cp)"
}
# bench_keys: a fresh key pair ($public) and a full-scope token for it ($token).
bench_keys() {
  local keys secret
  keys="$($dist/bin/memctl gen-keypair)"
  secret="$(echo "$keys" | sed -n 's/^secret_key_hex: //p')"; public="$(echo "$keys" | sed -n 's/^public_key_hex: //p')"
  token="$($dist/bin/memctl token issue --secret-key-hex "$secret" --tenant bench --ns '*' --ops '*' --ttl 1h)"
}
# bench_start NAMESPACES_YAML [MORE_BACKENDS_YAML]: backends mem (memory) and pg (PostgreSQL) are
# always declared; the second argument adds more; $BENCH_TOP_YAML adds top-level sections
# (metrics, tracing). bench_stop stops it (also done on exit).
bench_start() {
  bench_keys
  work="$(mktemp -d)"
  bench_tls
  cat > "$work/bench.yaml" <<YAML
server: { grpc: { tcp: "127.0.0.1:$port", uds: "$work/sidecar.sock"$tls_yaml } }
logging: { level: ${BENCH_LOG_LEVEL:-warn}, access: ${BENCH_ACCESS_LOG:-false} }
${BENCH_TOP_YAML:-}
auth: { paseto: { public_key_hexes: ["$public"] } }
backends:
  - { name: mem, driver: memory }
  - { name: pg, driver: postgres, options: { dsn: "$pg", max_conns: 16 } }
${2:-}
namespaces:
$1
YAML
  JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" $dist/bin/memsidecar --config "$work/bench.yaml" >"$work/server.log" 2>&1 &
  server_pid=$!
  bench_pids=()
  trap bench_stop EXIT
  for _ in $(seq 1 60); do ready "$port" && return 0; sleep 0.5; done
  echo "server did not start; see $work/server.log" >&2; return 1
}
bench_stop() {
  kill "$server_pid" ${bench_pids[@]+"${bench_pids[@]}"} 2>/dev/null || true
  wait "$server_pid" ${bench_pids[@]+"${bench_pids[@]}"} 2>/dev/null || true; rm -rf "$work"; trap - EXIT
}
# bench_tls: with BENCH_TLS=1, a self-signed certificate for 127.0.0.1 in $work/tls; the sidecars'
# TCP listeners and the plain grpc-java server then use TLS 1.3, and the Java load generators trust
# it (MEMSIDECAR_BENCH_CACERT); the Unix socket stays plaintext. $tls_yaml: the server.grpc keys;
# $sidecar_url: http(s)://127.0.0.1, and $curl_tls: what curl needs to trust it, for the sidecars' HTTP.
bench_tls() {
  tls_yaml=""; sidecar_url="http://127.0.0.1"; curl_tls=()
  [ -n "${BENCH_TLS:-}" ] || return 0
  mkdir -p "$work/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls/server.key" \
    -out "$work/tls/server.pem" -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
  tls_yaml=", tls: { cert_file: \"$work/tls/server.pem\", key_file: \"$work/tls/server.key\" }"
  sidecar_url="https://127.0.0.1"; curl_tls=(--cacert "$work/tls/server.pem")
  export MEMSIDECAR_BENCH_CACERT="$work/tls/server.pem"
}
# ready PORT: the sidecar on PORT answers /readyz.
ready() { curl -sf ${curl_tls[@]+"${curl_tls[@]}"} "$sidecar_url:$1/readyz" >/dev/null; }
# bench_start_second [SED ARGS]: a second sidecar from the same config in the deployed layout, gRPC
# on 127.0.0.1:$SECOND_PORT (default 7791, grpc-netty) and HTTP on its own port, the next one
# ($second_pid); SED ARGS edit its config further (e.g. 's|transport: netty|transport: helidon|').
# Stopped by bench_stop.
bench_start_second() {
  local g="${SECOND_PORT:-7791}"; local h=$((g + 1))
  sed -e "s|^server: .*|server: { grpc: { tcp: \"127.0.0.1:$g\", transport: netty$tls_yaml }, http: { addr: \"127.0.0.1:$h\" } }|" \
    "$@" "$work/bench.yaml" > "$work/second-$g.yaml"
  JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" $dist/bin/memsidecar --config "$work/second-$g.yaml" >"$work/second-$g.log" 2>&1 &
  second_pid=$!; bench_pids+=("$second_pid")
  for _ in $(seq 1 60); do ready "$h" && return 0; sleep 0.5; done
  echo "the second sidecar did not start; see $work/second-$g.log" >&2; return 1
}
# bench_baseline [PORT [ARGS]]: a plain grpc-java server answering KV.Get and Put from a map on
# 127.0.0.1:PORT (7790), or with ARGS "--jdbc URL" Put upserting into PostgreSQL ($baseline_pid;
# GrpcBaseline). Stopped by bench_stop.
bench_baseline() {
  local p="${1:-7790}"; shift || true
  "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.GrpcBaseline --port "$p" \
    ${BENCH_TLS:+--cert "$work/tls/server.pem" --key "$work/tls/server.key"} "$@" >/dev/null 2>&1 &
  baseline_pid=$!; bench_pids+=("$baseline_pid")
}
# cpu PID: the CPU time the process has used so far, in clock ticks (getconf CLK_TCK per second)
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# need_h2load: installs h2load (nghttp2's load generator, C) when missing.
need_h2load() {
  command -v h2load >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null; }
}
# native URL METHOD BODY: MB/s of $calls Artifact calls of METHOD (Put or Get, the framed request messages in
# the file BODY, see GrpcBodies) one after another on one connection, $bytes each; fails unless every
# call got HTTP 200 and, for a Get, every byte arrived (a gRPC error would come as a 200 without the data)
native() {
  local out secs got
  out="$(h2load --npn-list=h2 -n "$calls" -c 1 -m 1 -H "x-memsidecar-capability: Bearer $token" -H 'content-type: application/grpc' \
    -H 'te: trailers' -d "$3" "$1/memsidecar.artifact.v1.Artifact/$2" 2>&1)"
  echo "$out" | grep -q "$calls succeeded, 0 failed, 0 errored" || { echo "$out" >&2; return 1; }
  got="$(echo "$out" | sed -n 's/^traffic: .* (\([0-9]*\)) data.*/\1/p')"
  [ "$2" = Put ] || [ "$got" -ge $((calls * bytes)) ] || { echo "$out" >&2; echo "h2load: a Get came back short" >&2; return 1; }
  secs="$(echo "$out" | sed -n 's/^finished in \([0-9.]*\)\(m*\)s,.*/\1 \2/p')"
  awk -v b=$((calls * bytes)) -v t="${secs% *}" -v u="${secs#* }" 'BEGIN { printf "%.1f", b / 1e6 / (u == "m" ? t / 1000 : t) }'
}
# kv_ops TARGET-OPTIONS...: ops/s of KvLoad's $OP (default get) on namespace bench, $clients clients,
# $seconds seconds, closed loop.
kv_ops() {
  "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.KvLoad "$@" --token "$token" \
    --clients "$clients" --seconds "$seconds" --op "${OP:-get}" --namespace bench | field ops_per_s
}
# median VALUES...: the middle value (the mean of the two middle ones for an even count)
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# field NAME: the number NAME of the JSON line on stdin (-1 passes: a load generator's "failed");
# value JSON NAME: the same, of JSON given as an argument
field() { sed -n "s/.*\"$1\":\([0-9.-]*\).*/\1/p"; }
value() { echo "$1" | field "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
