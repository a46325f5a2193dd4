# Sourced by bin/memsidecar and bin/memctl (which set $here to their bin/ folder).
# The Java runtime: the jlink runtime beside bin/ (jre/, in an edge runtime or the image), else a
# JDK/JRE >= 21 found by find-java.sh. Class path: lib/ plus the optional parts that are present
# (lib/onnx/: the in-process embedder; lib/s3/: the S3 driver).
memsidecar_launch() {
  local name="$1" main="$2" root="${here%/bin}" java_home major flags
  shift 2
  if [ -x "$root/jre/bin/java" ]; then
    java_home="$root/jre"
    major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$java_home/release")"
  else
    . "$here/find-java.sh"
    java_home="$(memsidecar_find_java_home)" || {
      echo "$name: needs Java 21 or newer; set JAVA_HOME or install a JDK (e.g. apt-get install openjdk-21-jre-headless)" >&2
      exit 1
    }
    major="$(memsidecar_java_major "$java_home")"
  fi
  # A JVM that cannot allocate exits (and is restarted by its supervisor) instead of living on deaf.
  flags="-XX:+ExitOnOutOfMemoryError"
  # Netty (gRPC on the Unix socket) uses native access and sun.misc.Unsafe; say so on JDKs that ask.
  if [ "$major" -ge 24 ]; then
    flags="$flags --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
  fi
  # Sidecar defaults and the AOT cache of a runtime built by packaging/runtime.sh (docs/deploy.md).
  if [ -f "$root/lib/$name.jvmflags" ]; then
    flags="$flags $(cat "$root/lib/$name.jvmflags")"
  fi
  if [ -f "$root/lib/$name.aot" ] && [ -z "${MEMSIDECAR_AOT_OUTPUT:-}" ]; then
    # Only errors: JDK 25 warns on every start about AOT adapter stubs it regenerates.
    flags="$flags -XX:AOTCache=$root/lib/$name.aot -Xlog:aot*=error"
  fi
  # Netty's epoll library (gRPC on the Unix socket) from the runtime, not extracted to a tmp dir that may be noexec.
  if [ -d "$root/lib/native" ]; then
    flags="$flags -Djava.library.path=$root/lib/native"
  fi
  # The jars in a fixed (C-sorted) order: an AOT cache is only used with the class path it was trained on.
  local classpath
  classpath="$(LC_ALL=C; for j in "$root"/lib/*.jar "$root"/lib/onnx/*.jar "$root"/lib/s3/*.jar; do
    if [ -e "$j" ]; then printf '%s:' "$j"; fi; done)"
  if [ -n "${MEMSIDECAR_PRINT_ARGS:-}" ]; then
    # The JVM arguments, one per line: packaging/image.sh turns them into the image's java @argfile.
    # shellcheck disable=SC2086
    printf '%s\n' $flags ${JAVA_OPTS:-} -cp "${classpath%:}" "$main"
    return 0
  fi
  # shellcheck disable=SC2086
  exec "$java_home/bin/java" $flags ${JAVA_OPTS:-} -cp "${classpath%:}" "$main" "$@"
}
