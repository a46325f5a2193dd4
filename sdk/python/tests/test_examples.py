"""examples/agent_tour.py, run as a user would, against the embedded default of the packaged server."""

from __future__ import annotations

import os
import subprocess
import sys

from sidecar import REPO, EmbeddedDefault


def test_the_agent_tour_runs_against_the_embedded_default(tmp_path):
    server = EmbeddedDefault(tmp_path / "data")
    try:
        env = {**os.environ, "MEMSIDECAR_ADDR": server.address, "MEMSIDECAR_DATA_DIR": str(server.data_dir)}
        env.pop("MEMSIDECAR_TOKEN", None)  # the tour finds the token the embedded default wrote
        out = subprocess.run([sys.executable, str(REPO / "examples/agent_tour.py")], env=env, capture_output=True,
                             text=True, timeout=180)
        assert out.returncode == 0, out.stderr
        for line in ("episodic: 2 events", "kv: search:", "semantic: best hit fact-", "artifact: report-",
                     "graph: paris -CAPITAL_OF-> ['france']", "lease: finalize-", "next: memctl ns ls"):
            assert line in out.stdout, out.stdout
    finally:
        server.stop()
