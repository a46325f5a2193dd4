#!/usr/bin/env bash
# Recall against dense and hybrid Search and the client-side pattern (docs/benchmarks.md, "Recall"): builds
# the distribution, a virtual environment with the Python SDK (target/bench-python), and runs
# tests/bench/recall.py on SQLite (default) or PostgreSQL ($MEMSIDECAR_BENCH_PG_URL).
# Usage: tests/bench/recall.sh [sqlite|postgres]; QUESTIONS=N questions per kind (default 150).
. "$(dirname "$0")/common.sh"
bench_python
MEMSIDECAR_BENCH_PG_URL="$pg" exec "$venv/bin/python" tests/bench/recall.py "${1:-sqlite}"
