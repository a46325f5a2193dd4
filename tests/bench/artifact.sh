#!/usr/bin/env bash
# Artifact benchmark: a file of $1 MiB (default 256) Put then Get through the sidecar (gRPC on
# grpc-netty with HTTP on its own port, as the image and the manifests run it), vs the same
# bytes written with `dd conv=fsync` and read back with `cat` on the same disk (filesystem driver),
# and vs the AWS SDK talking straight to the same s3proxy (S3 driver): one PutObject with the driver's
# client settings, the same in aws-chunked encoding (the SDK's default over plain HTTP), and the very
# requests the driver makes (multipart to a staging key, then a copy with metadata) — what the store
# itself allows the driver. The server's peak RSS (VmHWM) is read after the transfers. Each Java client
# (load generator or SDK) Puts PUTS times (default 3), then Gets GETS times (default 5), in one JVM;
# rates are medians. The S3 Put and Get are also made PUTS and GETS times in a row by a native client
# (h2load, installed when missing; the Put's stored SHA-256 is checked), which leaves the 2 cores to the
# sidecar and s3proxy, whose CPU over those calls is printed too. Prints a Markdown table.
. "$(dirname "$0")/common.sh"
mib="${1:-256}"
need_h2load
bench_build
data="$(mktemp -d)"
s3port=7789
./mvnw -B -q -pl drivers/s3 dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/s3-test.cp >/dev/null
# s3proxy (the S3 driver's test dependency) on loopback with an in-memory store.
cat > "$data/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=none
jclouds.provider=transient
jclouds.identity=memsidecar
jclouds.credential=bench-secret
CONF
"$JAVA_HOME/bin/java" -Xmx3g -cp "$(cat drivers/s3/target/s3-test.cp)" org.gaul.s3proxy.Main \
  --properties "$data/s3proxy.conf" >"$data/s3proxy.log" 2>&1 &
s3pid=$!
for _ in $(seq 1 60); do curl -s -o /dev/null "http://127.0.0.1:$s3port/" && break; sleep 0.5; done
curl -s -X PUT "http://127.0.0.1:$s3port/bench" -o /dev/null
bench_start "  - { block: artifact, name: fs, backend: disk }
  - { block: artifact, name: s3, backend: s3 }" "  - { name: disk, driver: fs, options: { base_dir: \"$data/blobs\" } }
  - { name: s3, driver: s3, options: { endpoint: \"127.0.0.1:$s3port\", bucket: bench, access_key: memsidecar, secret_key: bench-secret } }"
bench_start_second -e "s|$data/blobs|$data/blobs-netty|"
bench_pids+=("$s3pid")
trap 'bench_stop; rm -rf "$data"' EXIT

head -c $((mib * 1024 * 1024)) /dev/urandom > "$data/src.bin"
aload() { "$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.ArtifactLoad --target 127.0.0.1:7791 \
  --token "$token" --file "$data/src.bin" --puts "${PUTS:-3}" --gets "${GETS:-5}" "$@"; }
mbs() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.1f", b / 1e6 / (ns / 1e9) }'; }

fs="$(aload --namespace fs)"
t0=$(date +%s%N); dd if="$data/src.bin" of="$data/copy.bin" bs=1M conv=fsync status=none; t1=$(date +%s%N)
cat "$data/copy.bin" > /dev/null; t2=$(date +%s%N)
bytes=$(stat -c %s "$data/src.bin")
dd_w="$(mbs "$bytes" $((t1 - t0)))"; cat_r="$(mbs "$bytes" $((t2 - t1)))"
s3="$(aload --namespace s3)"
direct="$(aload --s3-endpoint "http://127.0.0.1:$s3port")"
chunked="$(aload --s3-endpoint "http://127.0.0.1:$s3port" --s3-aws-chunked)"
as_driver="$(aload --s3-endpoint "http://127.0.0.1:$s3port" --s3-as-driver)"
"$JAVA_HOME/bin/java" -cp "$cp" io.memsidecar.tests.bench.GrpcBodies --file "$data/src.bin" --namespace s3 --id bench \
  --put "$data/put-s3.grpc" --get "$data/get-s3.grpc"
# native_s3 METHOD BODY COUNT: COUNT native calls to the S3 namespace, then "MB/s SIDECAR% MS/MB S3PROXY%":
# the rate, and over the calls the share of a core and the CPU per MB moved of the sidecar, s3proxy's share
native_s3() {
  local c0 p0 t0 t1 c1 p1 r
  calls="$3"; c0=$(cpu "$second_pid"); p0=$(cpu "$s3pid"); t0=$(date +%s%N)
  r="$(native "$sidecar_url:7791" "$1" "$2")"
  t1=$(date +%s%N); c1=$(cpu "$second_pid"); p1=$(cpu "$s3pid")
  awk -v r="$r" -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v hz="$(getconf CLK_TCK)" -v ns=$((t1 - t0)) -v b=$((calls * bytes)) \
    'BEGIN { printf "%s %.0f %.2f %.0f\n", r, 100 * c / hz / (ns / 1e9), 1000 * c / hz / (b / 1e6), 100 * p / hz / (ns / 1e9) }'
}
# the Gets first, on s3proxy as the SDK baseline found it (its store grows with every Put)
r="$(native_s3 Get "$data/get-s3.grpc" "${GETS:-5}")"; read -r nget nget_pct nget_ms nget_s3 <<<"$r"
r="$(native_s3 Put "$data/put-s3.grpc" "${PUTS:-3}")"; read -r nput nput_pct nput_ms nput_s3 <<<"$r"
curl -sfI -H "x-memsidecar-capability: Bearer $token" "$sidecar_url:7792/v1/artifacts/s3/bench" \
  | grep -qi "etag: \"$(sha256sum "$data/src.bin" | cut -c1-64)\"" || { echo "the native S3 Put did not store the file" >&2; exit 1; }
rss="$(awk '/VmHWM/ { printf "%.0f MiB", $2 / 1024 }' /proc/$second_pid/status)"
cat <<MD
| ${mib} MiB | sidecar MB/s | baseline | baseline MB/s | ratio |
|---|---:|---|---:|---:|
| Put, filesystem driver (write + fsync) | $(value "$fs" put_mb_s) | dd conv=fsync | $dd_w | $(ratio "$(value "$fs" put_mb_s)" "$dd_w") |
| Get, filesystem driver | $(value "$fs" get_mb_s) | cat (page cache) | $cat_r | $(ratio "$(value "$fs" get_mb_s)" "$cat_r") |
| Put, S3 driver (s3proxy) | $(value "$s3" put_mb_s) | AWS SDK PutObject to s3proxy | $(value "$direct" put_mb_s) | $(ratio "$(value "$s3" put_mb_s)" "$(value "$direct" put_mb_s)") |
| Put, S3 driver (s3proxy) | $(value "$s3" put_mb_s) | the same, in aws-chunked encoding (the SDK's default over HTTP) | $(value "$chunked" put_mb_s) | $(ratio "$(value "$s3" put_mb_s)" "$(value "$chunked" put_mb_s)") |
| Put, S3 driver (s3proxy) | $(value "$s3" put_mb_s) | AWS SDK making the driver's requests (8 MiB parts, staging copy) | $(value "$as_driver" put_mb_s) | $(ratio "$(value "$s3" put_mb_s)" "$(value "$as_driver" put_mb_s)") |
| Put, S3 driver (s3proxy), native client (h2load) | $nput | AWS SDK PutObject to s3proxy | $(value "$direct" put_mb_s) | $(ratio "$nput" "$(value "$direct" put_mb_s)") |
| Put, S3 driver (s3proxy), native client (h2load) | $nput | AWS SDK making the driver's requests | $(value "$as_driver" put_mb_s) | $(ratio "$nput" "$(value "$as_driver" put_mb_s)") |
| Get, S3 driver (s3proxy), grpc-java client | $(value "$s3" get_mb_s) | AWS SDK GetObject from s3proxy | $(value "$direct" get_mb_s) | $(ratio "$(value "$s3" get_mb_s)" "$(value "$direct" get_mb_s)") |
| Get, S3 driver (s3proxy), native client (h2load) | $nget | AWS SDK GetObject from s3proxy | $(value "$direct" get_mb_s) | $(ratio "$nget" "$(value "$direct" get_mb_s)") |

During the native Puts the sidecar used $nput_pct % of a core ($nput_ms ms of CPU per MB), s3proxy $nput_s3 %; during the native Gets $nget_pct % ($nget_ms ms per MB), s3proxy $nget_s3 %.
The AWS SDK baseline uses the driver's client settings (checksums only where required, payloads hashed once, not in aws-chunked encoding) unless said otherwise.

Server peak RSS (VmHWM) over the whole run: $rss (JAVA_OPTS=${JAVA_OPTS:--Xmx1g}); medians of ${PUTS:-3} Puts and ${GETS:-5} Gets per client; $(nproc) cores, $(date -u +%Y-%m-%d)
MD
