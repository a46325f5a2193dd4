#!/usr/bin/env bash
# The Python SDK's suites against the packaged server (server/target/memsidecar; ./dev test builds it
# first). Two fresh virtual environments, from PyPI:
#   newest  — the newest grpcio/protobuf with the [langgraph] and [crewai] extras: mypy (every function
#             typed) and every suite;
#   minimum — the declared floors (grpcio 1.63.0, protobuf 7.35.1): the client suites.
# PostgreSQL suites run when MEMSIDECAR_TEST_PG_URL is set, and CI=true requires it.
set -euo pipefail
cd "$(dirname "$0")/../.."
venvs="$(realpath -m "${MEMSIDECAR_PY_VENVS:-sdk/python/target/venvs}")"
rm -rf "$venvs"
mkdir -p "$venvs"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
test_deps=(pytest pytest-asyncio)

python3 -m venv "$venvs/newest"
"$venvs/newest/bin/pip" install -q './sdk/python[langgraph,crewai]' langgraph-checkpoint-conformance "${test_deps[@]}" \
  mypy types-protobuf grpc-stubs
python3 -m venv "$venvs/minimum"
"$venvs/minimum/bin/pip" install -q 'grpcio==1.63.0' 'protobuf==7.35.1' ./sdk/python "${test_deps[@]}"

echo "[python] newest: $("$venvs/newest/bin/python" -c 'import grpc, google.protobuf as p; print("grpcio", grpc.__version__, "protobuf", p.__version__)')"
(cd sdk/python/src && "$venvs/newest/bin/python" -m mypy --config-file ../pyproject.toml -p memsidecar)
"$venvs/newest/bin/python" -m pytest -q sdk/python/tests
echo "[python] minimum: $("$venvs/minimum/bin/python" -c 'import grpc, google.protobuf as p; print("grpcio", grpc.__version__, "protobuf", p.__version__)')"
"$venvs/minimum/bin/python" -m pytest -q sdk/python/tests/test_client.py sdk/python/tests/test_aio.py \
  sdk/python/tests/test_tls.py
