#!/usr/bin/env bash
# Builds the edge runtime from the distribution (server/target/memsidecar, made by `./dev mvn package`):
#   a jlink JRE with only the JDK modules jdeps finds in the jars (plus packaging/jdk-modules.extra),
#   the app (lib/), the launchers (bin/memsidecar, bin/memctl), the sidecar JVM flags, and an AOT cache
#   (JEP 483/514/515) trained on a scripted workload.
# Usage: packaging/runtime.sh [--with onnx,s3] [--no-aot] [--out DIR] [--argfiles INSTALL_DIR]
#   --with      optional parts to keep: onnx (in-process embedder, ~125 MB), s3 (S3 driver, ~8 MB); default none
#   --out       default server/target/memsidecar-runtime
#   --argfiles  for an image without a shell: replace bin/ by lib/memsidecar.args and lib/memctl.args
#               (java @argfiles, same flags and class path) for the runtime installed at INSTALL_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-java.sh
JAVA_HOME="$(memsidecar_find_java_home)" || { echo "runtime: no JDK >= 21 found" >&2; exit 1; }
with="" aot=1 out=server/target/memsidecar-runtime install=""
while [ $# -gt 0 ]; do
  case "$1" in
    --with) with="${2//,/ }"; shift 2 ;;
    --no-aot) aot=0; shift ;;
    --out) out="$2"; shift 2 ;;
    --argfiles) install="$2"; shift 2 ;;
    *) sed -n '2,11p' "$0" >&2; exit 2 ;;
  esac
done
for part in $with; do
  case "$part" in onnx|s3) ;; *) echo "runtime: --with takes onnx and/or s3, not \"$part\"" >&2; exit 2 ;; esac
done
dist=server/target/memsidecar
[ -d "$dist/lib" ] || { echo "runtime: $dist is missing; build it first: ./dev mvn -B -DskipTests package" >&2; exit 1; }
major="$(memsidecar_java_major "$JAVA_HOME")"
[ "$major" -ge 25 ] || aot=0   # AOT caches with training (-XX:AOTCacheOutput) need JDK 25

rm -rf "$out"
mkdir -p "$out/lib"
cp -r "$dist/bin" "$dist/etc" "$dist/LICENSE" "$dist/README.md" "$out/"
cp "$dist"/lib/*.jar "$out/lib/"
for part in $with; do cp -r "$dist/lib/$part" "$out/lib/"; done
epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"

# Signed jars (BouncyCastle) unsigned: the JVM checks a signed jar's signature when it opens it (~0.2 s at
# start), keeps its per-entry digests as manifest objects on the heap (10 000 of them), and the AOT cache
# skips its classes. OpenJDK does not ask JCE providers to be signed (docs/benchmarks.md, "Edge start").
for j in "$out"/lib/*.jar; do
  [ "$(unzip -Z1 "$j" | grep -c -E '^META-INF/[^/]+\.(SF|RSA|DSA|EC)$')" -gt 0 ] || continue
  tmp="$(mktemp -d)"
  mkdir "$tmp/jar" && (cd "$tmp/jar" && unzip -q "$OLDPWD/$j")
  rm -f "$tmp"/jar/META-INF/*.SF "$tmp"/jar/META-INF/*.RSA "$tmp"/jar/META-INF/*.DSA "$tmp"/jar/META-INF/*.EC
  # the manifest's main section only (it ends at the first empty line)
  tr -d '\r' < "$tmp/jar/META-INF/MANIFEST.MF" | sed '/^$/q' > "$tmp/manifest" && rm "$tmp/jar/META-INF/MANIFEST.MF"
  rm "$j"
  "$JAVA_HOME/bin/jar" --create --file "$j" --manifest "$tmp/manifest" --date "$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)" \
    -C "$tmp/jar" .
  rm -rf "$tmp"
done

# JDK modules: jdeps over the jars that will ship. Modular jars cannot be roots on a class path, so the
# plain jars are the roots and -R walks into the rest.
mapfile -t jars < <(find "$out/lib" -name '*.jar' | sort)
roots=()
for j in "${jars[@]}"; do
  [ "$(unzip -Z1 "$j" | grep -c -E '^(META-INF/versions/[0-9]+/)?module-info\.class$')" -gt 0 ] || roots+=("$j")
done
classpath="$(IFS=:; echo "${jars[*]}")"
modules="$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release "$major" -q -R \
  --class-path "$classpath" "${roots[@]}")"
extra="$(grep -v -E '^\s*(#|$)' packaging/jdk-modules.extra | paste -sd, -)"
modules="$modules${extra:+,$extra}"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$out/jre"
echo "$modules" | tr , '\n' > "$out/lib/jdk-modules"

# Netty's epoll library for this platform, loaded from lib/native/ (the launcher sets java.library.path).
arch="$(uname -m | sed 's/aarch64/aarch_64/')"
mkdir -p "$out/lib/native"
unzip -q -j -o "$out"/lib/grpc-netty-shaded-*.jar \
  "META-INF/native/libio_grpc_netty_shaded_netty_transport_native_epoll_$arch.so" -d "$out/lib/native"
# Native debug symbols out of the JVM (jlink's --strip-debug keeps them in the .so files).
if command -v strip >/dev/null; then find "$out/jre" -name '*.so' -exec strip --strip-unneeded {} +; fi

# Sidecar JVM flags (docs/deploy.md): one GC thread's worth of collector, heap relative to the container limit;
# on JDK 22+ the C heap trimmed every 5 s, so memory the JIT's arenas freed goes back (~5 MiB at idle).
cp packaging/memsidecar.jvmflags "$out/lib/"
if [ "$major" -ge 22 ]; then
  sed -i 's/$/ -XX:TrimNativeHeapInterval=5000/' "$out/lib/memsidecar.jvmflags"
fi

# Whole-second modification times (the commit's, as reproducible builds do): the AOT cache records each jar's
# mtime, and image layers keep seconds only, so a sub-second mtime would not survive into an image.
find "$out" -exec touch -h -d "@$epoch" {} +

if [ "$aot" = 1 ]; then
  packaging/aot-train.sh "$out"
fi
if [ -n "$install" ]; then
  for tool in memsidecar memctl; do
    MEMSIDECAR_PRINT_ARGS=1 "$out/bin/$tool" | sed "s|$(cd "$out" && pwd)|$install|g" > "$out/lib/$tool.args"
  done
  touch -d "@$epoch" "$out"/lib/*.args
  rm -rf "$out/bin"
fi
echo "runtime: $out ($(du -sh "$out" | cut -f1); jre $(du -sh "$out/jre" | cut -f1)); modules: $modules"
