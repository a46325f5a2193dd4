"""Fixtures: one server for the whole session, on the memory driver and (when MEMSIDECAR_TEST_PG_URL
is set, which CI=true requires) on PostgreSQL, each block's namespaces named <block>-<backend>."""

from __future__ import annotations

import os
import uuid

import pytest

from sidecar import KeyPair, Sidecar

PG_URL = os.environ.get("MEMSIDECAR_TEST_PG_URL", "")
if os.environ.get("CI") == "true" and not PG_URL:
    raise RuntimeError("CI=true needs MEMSIDECAR_TEST_PG_URL: the PostgreSQL suites must not be skipped")

BACKENDS = ["mem", "pg"] if PG_URL else ["mem"]


def _sections(tmp: str) -> str:
    backends = ["  - { name: mem, driver: memory }",
                f"  - {{ name: disk, driver: fs, options: {{ base_dir: \"{tmp}/blobs\" }} }}"]
    if PG_URL:
        backends.append(f"  - {{ name: pg, driver: postgres, options: {{ dsn: \"{PG_URL}\" }} }}")
    namespaces = []
    for b in BACKENDS:
        namespaces += [
            f"  - {{ block: kv, name: kv-{b}, backend: {b} }}",
            f"  - {{ block: episodic, name: ev-{b}, backend: {b} }}",
            f"  - {{ block: semantic, name: notes-{b}, backend: {b}, embedder: {{ provider: fake, dimensions: 16 }} }}",
            f"  - {{ block: lease, name: locks-{b}, backend: {b} }}",
            f"  - {{ block: graph, name: graph-{b}, backend: {b} }}",
        ]
    namespaces += ["  - { block: artifact, name: blobs-mem, backend: mem }",
                   "  - { block: artifact, name: blobs-disk, backend: disk }",
                   "  - { block: kv, name: small, backend: mem, max_items: 2 }"]
    return "backends:\n" + "\n".join(backends) + "\nnamespaces:\n" + "\n".join(namespaces) + "\n" \
        + "limits: { max_value_bytes: 1048576 }\n"


@pytest.fixture(scope="session")
def keys() -> KeyPair:
    return KeyPair()


@pytest.fixture(scope="session")
def sidecar(keys: KeyPair, tmp_path_factory: pytest.TempPathFactory):
    server = Sidecar(keys, _sections(str(tmp_path_factory.mktemp("sidecar"))))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def token(keys: KeyPair) -> str:
    return keys.token()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]
