#!/usr/bin/env bash
# Recall against dense and hybrid Search and the client-side pattern (docs/benchmarks.md, "Recall"): builds
# the distribution, a virtual environment with the Python SDK (target/bench-python), and runs
# tests/bench/recall.py on SQLite (default) or PostgreSQL ($MEMSIDECAR_BENCH_PG_URL, a libpq or JDBC URL).
# Usage: tests/bench/recall.sh [sqlite|postgres]; QUESTIONS=N questions per kind (default 150).
set -euo pipefail
cd "$(dirname "$0")/../.."
./dev mvn -B -q -DskipTests package
venv=target/bench-python
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check ./sdk/python
export MEMSIDECAR_BENCH_PG_URL="${MEMSIDECAR_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
exec "$venv/bin/python" tests/bench/recall.py "${1:-sqlite}"
