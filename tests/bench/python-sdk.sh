#!/usr/bin/env bash
# The Python SDK against bare grpcio stubs (docs/benchmarks.md, "Python SDK"): builds the distribution,
# a virtual environment with the SDK (target/bench-python), and runs sdk/python/bench/sdk_vs_stub.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
./dev mvn -B -q -DskipTests package
venv=target/bench-python
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check ./sdk/python
exec "$venv/bin/python" sdk/python/bench/sdk_vs_stub.py
