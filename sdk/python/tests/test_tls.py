"""TLS and mTLS: a sidecar whose TCP listener requires a client certificate, certificates made by
openssl for this run."""

from __future__ import annotations

import subprocess

import grpc
import pytest

from memsidecar import AsyncMemSidecar, MemSidecar, Unavailable
from sidecar import Sidecar


def _openssl(cwd, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _signed(cwd, name: str, san: str) -> None:
    _openssl(cwd, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{name}.key",
             "-out", f"{name}.csr", "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}")
    _openssl(cwd, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", f"{name}.pem", "-days", "2", "-copy_extensions", "copy")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    _openssl(d, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
             "-out", "ca.pem", "-days", "2", "-subj", "/CN=ca")
    _signed(d, "server", "IP:127.0.0.1,DNS:localhost")
    _signed(d, "agent", "DNS:agent")
    return d


@pytest.fixture(scope="module")
def tls_sidecar(keys, pki):
    server = Sidecar(keys, "backends: [ { name: mem, driver: memory } ]\n"
                           "namespaces: [ { block: kv, name: notes, backend: mem } ]\n",
                     grpc_extra=f'    tls: {{ cert_file: "{pki}/server.pem", key_file: "{pki}/server.key", '
                                f'client_ca_file: "{pki}/ca.pem", require_client_cert: true }}')
    yield server
    server.stop()


def test_mtls_with_certificate_paths(tls_sidecar, token, pki):
    with MemSidecar(tls_sidecar.address, token=token, ca=pki / "ca.pem", cert=pki / "agent.pem",
                    key=pki / "agent.key") as m:
        m.kv.put("notes", "k", b"over mTLS")
        assert m.kv.get("notes", "k").value == b"over mTLS"


async def test_mtls_with_channel_credentials_on_asyncio(tls_sidecar, token, pki):
    creds = grpc.ssl_channel_credentials(root_certificates=(pki / "ca.pem").read_bytes(),
                                         private_key=(pki / "agent.key").read_bytes(),
                                         certificate_chain=(pki / "agent.pem").read_bytes())
    async with AsyncMemSidecar(tls_sidecar.address, token=token, channel_credentials=creds) as m:
        assert (await m.kv.put("notes", "a", b"x")).version >= 1


def test_no_client_certificate_or_plaintext_is_refused(tls_sidecar, token, pki):
    with MemSidecar(tls_sidecar.address, token=token, ca=pki / "ca.pem", timeout=5, max_attempts=1) as m:
        with pytest.raises(Unavailable):
            m.kv.get("notes", "k")
    with MemSidecar(tls_sidecar.address, token=token, timeout=5, max_attempts=1) as plain:
        with pytest.raises(Unavailable):
            plain.kv.get("notes", "k")
    with pytest.raises(ValueError, match="cert and key"):
        MemSidecar(tls_sidecar.address, token=token, cert=pki / "agent.pem")
