#!/usr/bin/env bash
# Artifact streams on each transport of one sidecar config (filesystem driver), in one run:
#   64 MiB Put and Get over TCP gRPC in the default layout (grpc-netty, HTTP/1.x on the same port
#   relayed to Helidon), over TCP gRPC on a second sidecar with server.grpc.transport: helidon,
#   and over the Unix socket (grpc-netty);
#   Put and Get through the curl route (curl -T, then a plain curl GET; HTTP/1.1) on the default
#   port (relayed) and straight to Helidon (the helidon sidecar's port), which goes first alternating;
#   baselines: the same Put and Get on a plain grpc-java server holding the bytes in memory
#   (GrpcBaseline: the transport alone, no disk, hash or auth); the same curl -T to the JDK's own
#   HTTP server writing the body to a file with fsync (HttpPutBaseline: the curl route's work
#   without the sidecar); and dd conv=fsync of the same bytes on the same disk.
# The client is Node's grpc-js (tests/bench/grpc-js/artifact.js; npm-installed into tests/target/
# on first use): a JVM load generator started per run measures its own JIT warm-up more than the
# server. Each measurement runs ROUNDS times (default 3), in turn, after two warm-up transfers
# per server; medians. Then Put and Get with grpc-java as the client (ArtifactLoad: ROUNDS+1 Puts, then ROUNDS
# Gets in the same JVM, 16 MiB receive window; median) against each server. Then a native client,
# h2load (nghttp2, C; installed when missing), making the same Put (1 MiB messages, GrpcBodies) and
# Get over TCP NATIVE_CALLS times (default 10) one after another on one connection, ROUNDS rounds:
# what the servers move when the client is not the limit (h2load cannot reach a Unix socket).
# BENCH_TLS=1: the sidecars' TCP listeners and the plain grpc-java server over TLS 1.3 (common.sh).
# Usage: tests/bench/streams.sh [MIB]
. "$(dirname "$0")/common.sh"
mib="${1:-64}"; rounds="${ROUNDS:-3}"; calls="${NATIVE_CALLS:-10}"
need_h2load
bench_build
data="$(mktemp -d)"
bench_start "  - { block: artifact, name: fs, backend: disk }" \
  "  - { name: disk, driver: fs, options: { base_dir: \"$data/blobs\" } }"
bench_start_second -e "s|$data/blobs|$data/blobs-helidon|" -e 's|transport: netty|transport: helidon|'
bench_baseline
"$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.HttpPutBaseline --port 7793 --dir "$data/plain-http" >/dev/null 2>&1 &
bench_pids+=("$!")
trap 'bench_stop; rm -rf "$data"' EXIT

head -c $((mib * 1024 * 1024)) /dev/urandom > "$data/src.bin"
bytes=$(stat -c %s "$data/src.bin")
node_dir=tests/target/grpc-js
[ -d "$node_dir/node_modules/@grpc/grpc-js" ] || (mkdir -p "$node_dir" && cd "$node_dir" \
  && npm install --silent --no-save @grpc/grpc-js@1.14.7 @grpc/proto-loader@0.8.1 >/dev/null)
aload() { NODE_PATH="$node_dir/node_modules" node tests/bench/grpc-js/artifact.js "$1" "$token" fs "$data/src.bin" \
  proto/src/main/proto; }
mbs() { awk -v b="$bytes" -v ns="$1" 'BEGIN { printf "%.1f", b / 1e6 / (ns / 1e9) }'; }
put_curl() { curl -sf -o /dev/null -T "$data/src.bin" -H "x-memsidecar-capability: Bearer $token" \
  ${curl_tls[@]+"${curl_tls[@]}"} "$1"; } # (the JDK baseline on 7793 stays plaintext)
for _ in 1 2; do # JIT warm-up of every server
  aload "127.0.0.1:$port" >/dev/null; aload 127.0.0.1:7791 >/dev/null; aload "unix:$work/sidecar.sock" >/dev/null
  aload 127.0.0.1:7790 >/dev/null; put_curl "$sidecar_url:$port/v1/artifacts/fs/curl"; put_curl http://127.0.0.1:7793/curl
  put_curl "$sidecar_url:7791/v1/artifacts/fs/curl"
done
declare -a sput sget hput hget uput uget bput bget cput chput cget chget hbput dd
# the two sidecar curl uploads swap places every round, so that neither gains from its place (of
# fsync'd uploads in a row, the same relay ran 0.90x when second: docs/benchmarks.md, "Big uploads through the relay")
get_curl() { curl -sf -o /dev/null -H "x-memsidecar-capability: Bearer $token" ${curl_tls[@]+"${curl_tls[@]}"} "$1"; }
curl_relayed() { t0=$(date +%s%N); put_curl "$sidecar_url:$port/v1/artifacts/fs/curl"; cput+=("$(mbs $(($(date +%s%N) - t0)))"); }
curl_straight() { t0=$(date +%s%N); put_curl "$sidecar_url:7791/v1/artifacts/fs/curl"; chput+=("$(mbs $(($(date +%s%N) - t0)))"); }
get_relayed() { t0=$(date +%s%N); get_curl "$sidecar_url:$port/v1/artifacts/fs/curl"; cget+=("$(mbs $(($(date +%s%N) - t0)))"); }
get_straight() { t0=$(date +%s%N); get_curl "$sidecar_url:7791/v1/artifacts/fs/curl"; chget+=("$(mbs $(($(date +%s%N) - t0)))"); }
for i in $(seq 1 "$rounds"); do
  r="$(aload "127.0.0.1:$port")"; sput+=("$(value "$r" put_mb_s)"); sget+=("$(value "$r" get_mb_s)")
  r="$(aload 127.0.0.1:7791)"; hput+=("$(value "$r" put_mb_s)"); hget+=("$(value "$r" get_mb_s)")
  r="$(aload "unix:$work/sidecar.sock")"; uput+=("$(value "$r" put_mb_s)"); uget+=("$(value "$r" get_mb_s)")
  r="$(aload 127.0.0.1:7790)"; bput+=("$(value "$r" put_mb_s)"); bget+=("$(value "$r" get_mb_s)")
  if [ $((i % 2)) = 1 ]; then curl_relayed; curl_straight; get_relayed; get_straight
  else curl_straight; curl_relayed; get_straight; get_relayed; fi
  t0=$(date +%s%N); put_curl http://127.0.0.1:7793/curl; hbput+=("$(mbs $(($(date +%s%N) - t0)))")
  t0=$(date +%s%N); dd if="$data/src.bin" of="$data/copy.bin" bs=1M conv=fsync status=none
  dd+=("$(mbs $(($(date +%s%N) - t0)))"); rm -f "$data/copy.bin"
done
S=$(median "${sput[@]}"); SG=$(median "${sget[@]}"); H=$(median "${hput[@]}"); HG=$(median "${hget[@]}")
jload() { "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.ArtifactLoad "$@" --token "$token" --namespace fs \
  --file "$data/src.bin" --puts "$((rounds + 1))" --gets "$rounds" --window-mib 16; }
r=$(jload --target "127.0.0.1:$port"); JSP=$(value "$r" put_mb_s); JS=$(value "$r" get_mb_s)
r=$(jload --target 127.0.0.1:7791); JHP=$(value "$r" put_mb_s); JH=$(value "$r" get_mb_s)
r=$(jload --unix "$work/sidecar.sock"); JUP=$(value "$r" put_mb_s); JU=$(value "$r" get_mb_s)
r=$(jload --target 127.0.0.1:7790); JBP=$(value "$r" put_mb_s); JB=$(value "$r" get_mb_s)
"$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.GrpcBodies --file "$data/src.bin" --namespace fs --id native \
  --put "$data/put.grpc" --get "$data/get.grpc"
declare -a nsp nsg nhp nhg nbp nbg
P="$data/put.grpc"; G="$data/get.grpc"
for _ in $(seq 1 "$rounds"); do
  nsp+=("$(native "$sidecar_url:$port" Put "$P")"); nhp+=("$(native "$sidecar_url:7791" Put "$P")"); nbp+=("$(native "$sidecar_url:7790" Put "$P")")
  nsg+=("$(native "$sidecar_url:$port" Get "$G")"); nhg+=("$(native "$sidecar_url:7791" Get "$G")"); nbg+=("$(native "$sidecar_url:7790" Get "$G")")
done
sha="$(sha256sum "$data/src.bin" | cut -c1-64)"
for p in "$port" 7791; do # what h2load put is the file, byte for byte
  curl -sfI ${curl_tls[@]+"${curl_tls[@]}"} -H "x-memsidecar-capability: Bearer $token" "$sidecar_url:$p/v1/artifacts/fs/native" \
    | grep -qi "etag: \"$sha\"" || { echo "the native Put did not store the file on port $p" >&2; exit 1; }
done
NSP=$(median "${nsp[@]}"); NSG=$(median "${nsg[@]}"); NHP=$(median "${nhp[@]}"); NHG=$(median "${nhg[@]}")
NBP=$(median "${nbp[@]}"); NBG=$(median "${nbg[@]}")
U=$(median "${uput[@]}"); UG=$(median "${uget[@]}"); B=$(median "${bput[@]}"); BG=$(median "${bget[@]}"); C=$(median "${cput[@]}"); CH=$(median "${chput[@]}"); CG=$(median "${cget[@]}"); CHG=$(median "${chget[@]}"); HB=$(median "${hbput[@]}"); D=$(median "${dd[@]}")
cat <<MD
| ${mib} MiB, filesystem driver | Put MB/s (runs) | Get MB/s (runs) | Put / UDS | Get / UDS | Put / plain | Get / plain | Put / dd |
|---|---:|---:|---:|---:|---:|---:|---:|
| TCP gRPC, default (grpc-netty) | $S (${sput[*]}) | $SG (${sget[*]}) | $(ratio "$S" "$U") | $(ratio "$SG" "$UG") | $(ratio "$S" "$B") | $(ratio "$SG" "$BG") | $(ratio "$S" "$D") |
| TCP gRPC, \`transport: helidon\` | $H (${hput[*]}) | $HG (${hget[*]}) | $(ratio "$H" "$U") | $(ratio "$HG" "$UG") | $(ratio "$H" "$B") | $(ratio "$HG" "$BG") | $(ratio "$H" "$D") |
| Unix socket gRPC (grpc-netty) | $U (${uput[*]}) | $UG (${uget[*]}) | 1.00 | 1.00 | | | $(ratio "$U" "$D") |
| plain grpc-java, TCP, bytes in memory | $B (${bput[*]}) | $BG (${bget[*]}) | | | 1.00 | 1.00 | |
| curl -T / GET (HTTP/1.1), default port: relayed to Helidon | $C (${cput[*]}) | $CG (${cget[*]}) | | | $(ratio "$C" "$HB") | | $(ratio "$C" "$D") |
| curl -T / GET (HTTP/1.1), straight to Helidon | $CH (${chput[*]}) | $CHG (${chget[*]}) | | | $(ratio "$CH" "$HB") | | $(ratio "$CH" "$D") |
| curl -T to the JDK's HTTP server, body to file + fsync | $HB (${hbput[*]}) | | | | 1.00 | | $(ratio "$HB" "$D") |
| dd conv=fsync, same bytes | $D (${dd[*]}) | | | | | | 1.00 |

curl relayed / straight to Helidon: Put $(ratio "$C" "$CH"), Get $(ratio "$CG" "$CHG")

client: Node $(node --version) grpc-js; ${BENCH_TLS:+TCP over TLS 1.3 (curl -T to the JDK HTTP server in plaintext); }$rounds rounds in turn, medians; $(nproc) cores, $(date -u +%Y-%m-%d)

| ${mib} MiB, grpc-java client ($((rounds + 1)) Puts, then $rounds Gets, in one JVM; medians) | Put MB/s | Put / dd | Put / plain | Get MB/s | Get / UDS | Get / plain |
|---|---:|---:|---:|---:|---:|---:|
| TCP gRPC, default (grpc-netty) | $JSP | $(ratio "$JSP" "$D") | $(ratio "$JSP" "$JBP") | $JS | $(ratio "$JS" "$JU") | $(ratio "$JS" "$JB") |
| TCP gRPC, \`transport: helidon\` | $JHP | $(ratio "$JHP" "$D") | $(ratio "$JHP" "$JBP") | $JH | $(ratio "$JH" "$JU") | $(ratio "$JH" "$JB") |
| Unix socket gRPC (grpc-netty) | $JUP | $(ratio "$JUP" "$D") | $(ratio "$JUP" "$JBP") | $JU | 1.00 | $(ratio "$JU" "$JB") |
| plain grpc-java, TCP, bytes in memory | $JBP | | 1.00 | $JB | | 1.00 |

| ${mib} MiB, native client (h2load: $calls calls in a row per run, Put in 1 MiB messages) | Put MB/s (runs) | Put / dd | Put / plain | Get MB/s (runs) | Get / plain |
|---|---:|---:|---:|---:|---:|
| TCP gRPC, default (grpc-netty) | $NSP (${nsp[*]}) | $(ratio "$NSP" "$D") | $(ratio "$NSP" "$NBP") | $NSG (${nsg[*]}) | $(ratio "$NSG" "$NBG") |
| TCP gRPC, \`transport: helidon\` | $NHP (${nhp[*]}) | $(ratio "$NHP" "$D") | $(ratio "$NHP" "$NBP") | $NHG (${nhg[*]}) | $(ratio "$NHG" "$NBG") |
| plain grpc-java, TCP, bytes in memory | $NBP (${nbp[*]}) | | 1.00 | $NBG (${nbg[*]}) | 1.00 |

$(h2load --version 2>/dev/null | head -1)
MD
