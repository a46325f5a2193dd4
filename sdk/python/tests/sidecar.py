"""Starts the packaged server (server/target/memsidecar) for the tests, with its own key pair."""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[3]
DIST = pathlib.Path(os.environ.get("MEMSIDECAR_DIST", REPO / "server/target/memsidecar"))


def require_dist() -> pathlib.Path:
    if not (DIST / "bin/memsidecar").exists():
        raise RuntimeError(f"no packaged server at {DIST}: run ./mvnw -DskipTests package first (./dev test does)")
    return DIST


def memctl(*args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run([str(require_dist() / "bin/memctl"), *args], check=True, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, timeout=120)
    return out.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class KeyPair:
    def __init__(self) -> None:
        lines = dict(line.split(": ", 1) for line in memctl("gen-keypair").strip().splitlines())
        self.secret = lines["secret_key_hex"].strip()
        self.public = lines["public_key_hex"].strip()

    def token(self, ns: str = "*", ops: str = "*", tenant: str = "pytest", ttl: str = "1h") -> str:
        return memctl("token", "issue", "--secret-key-hex", self.secret, "--tenant", tenant, "--agent", "pytest",
                      "--ns", ns, "--ops", ops, "--ttl", ttl).strip()


class Sidecar:
    """One server process on a free loopback port and a Unix socket, from the given YAML sections."""

    def __init__(self, keys: KeyPair, sections: str, *, server_extra: str = "", grpc_extra: str = "") -> None:
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="memsidecar-py-"))
        self.port = free_port()
        self.socket = self.dir / "memsidecar.sock"
        self.address = f"127.0.0.1:{self.port}"
        config = self.dir / "config.yaml"
        config.write_text(f"""
server:
  grpc:
    tcp: "127.0.0.1:{self.port}"
    uds: "{self.socket}"
{grpc_extra}
  shutdown_timeout: 2s
{server_extra}
logging: {{ access: false }}
auth: {{ paseto: {{ public_key_hexes: ["{keys.public}"] }} }}
{sections}
""")
        self.log = open(self.dir / "server.log", "wb")
        env = {**os.environ, "MEMSIDECAR_DATA_DIR": str(self.dir / "data")}
        self.process = subprocess.Popen([str(require_dist() / "bin/memsidecar"), "--config", str(config)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self._wait_ready()

    def _wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}):\n{self.output()}")
            if self.socket.exists():
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not listen within {seconds}s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return (self.dir / "server.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def readyz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class EmbeddedDefault:
    """The packaged server with no config (its embedded default) on random ports and its own data directory."""

    def __init__(self, data_dir: pathlib.Path) -> None:
        import re
        env = {**os.environ, "MEMSIDECAR_DATA_DIR": str(data_dir), "MEMSIDECAR_SERVER__GRPC__TCP": "127.0.0.1:0",
               "MEMSIDECAR_METRICS__PROMETHEUS__ADDR": "127.0.0.1:0"}
        self.process = subprocess.Popen([str(require_dist() / "bin/memsidecar")], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=env, text=True)
        pattern = re.compile(r"http://127\.0\.0\.1:(\d+)/v1/kv/scratchpad/greeting")
        deadline = time.monotonic() + 120
        self.port = 0
        assert self.process.stdout is not None
        while not self.port and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the embedded default exited ({self.process.wait()})")
            found = pattern.search(line)
            if found:
                self.port = int(found.group(1))
        if not self.port:
            raise RuntimeError("the embedded default did not print its address")
        self.address = f"127.0.0.1:{self.port}"
        self.data_dir = data_dir
        import threading
        threading.Thread(target=lambda: self.process.stdout.read(), daemon=True).start()  # type: ignore[union-attr]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
