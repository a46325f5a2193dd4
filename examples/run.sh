#!/usr/bin/env bash
# Runs one example against a running memsidecar (./dev run: the embedded default).
#   examples/run.sh langchain4j-agent      (or spring-ai-agent)
# MEMSIDECAR_ADDR (default 127.0.0.1:7777) and MEMSIDECAR_TOKEN (default: ~/.memsidecar/token) say where.
# Builds the example and what it needs first (offline when the build has run before).
set -euo pipefail
cd "$(dirname "$0")/.."
example="${1:?usage: examples/run.sh langchain4j-agent|spring-ai-agent}"
main=$(sed -n 's/.*<exampleMain>\(.*\)<\/exampleMain>.*/\1/p' "examples/$example/pom.xml")
./dev mvn -B -q -o package -DskipTests -pl "examples/$example" -am >/dev/null 2>&1 \
  || ./dev mvn -B -q package -DskipTests -pl "examples/$example" -am >&2
export MEMSIDECAR_TOKEN="${MEMSIDECAR_TOKEN:-$(cat "$HOME/.memsidecar/token")}"
. bin/find-java.sh
exec "$(memsidecar_find_java_home)/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "examples/$example/target/classes:$(cat "examples/$example/target/classpath.txt")" "$main"
