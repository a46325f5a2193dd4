# Sourced by ./dev, .ci/run and the distribution's launchers.
# memsidecar_find_java_home prints the home of a JDK/JRE >= 21: JAVA_HOME first,
# then /usr/lib/jvm/*, then the java on PATH. Returns 1 when there is none.
memsidecar_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
memsidecar_find_java_home() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/*; do [ -x "$c/bin/java" ] && candidates+=("$c"); done
  if command -v java >/dev/null 2>&1; then
    c="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    candidates+=("$c")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] || continue
    major="$(memsidecar_java_major "$c")"
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then printf '%s\n' "$c"; return 0; fi
  done
  return 1
}
