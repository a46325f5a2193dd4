#!/usr/bin/env bash
# The Python SDK against bare grpcio stubs (docs/benchmarks.md, "Python SDK"): builds the distribution,
# a virtual environment with the SDK (target/bench-python), and runs sdk/python/bench/sdk_vs_stub.py.
. "$(dirname "$0")/common.sh"
bench_python
exec "$venv/bin/python" sdk/python/bench/sdk_vs_stub.py
