"""Runs the commands of the ```sh blocks of the given Markdown files as printed, one bash per file, each
file against the packaged server started afresh on its embedded default in a fresh home (what `./dev run`
does after its build), and fails on a command that exits non-zero or gets an HTTP answer it does not
announce.

- `./dev run` and `./dev test` are not run again (the server is already running; the tests are what
  runs this); a block with a <placeholder> is skipped.
- curl gets `--max-time 5` (a live tail ends) and reports its HTTP status; a status >= 400 must be
  named in the command's trailing comment (`# 400: exists already`).
- `$MEMSIDECAR_TOKEN` and `$H` are set as the quick start sets them (the block pages use them); each
  file runs in its own bash.
- Commands run in a scratch directory holding `report.pdf` (the walkthrough uploads it) and a link to
  the repository's `server/`; HOME is a fresh directory, so `~/.memsidecar` is this run's.
"""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
SKIP = ("./dev run", "./dev test")
CURL = r'''curl() {
  local out code rc=0
  out=$(command curl -sS --max-time 5 -w '\n@@status %{http_code}' "$@") || rc=$?
  code=${out##*@@status }; printf '%s\n' "${out%@@status *}"; echo "@@http $code"
  [ $rc -eq 0 ] || [ $rc -eq 28 ]   # 28: --max-time ended a live stream
}
'''


def commands(markdown: str) -> list[str]:
    out = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, re.S):
        code = "\n".join(line.split(" # ", 1)[0] for line in block.splitlines() if not line.lstrip().startswith("#"))
        if re.search(r"<[a-z_]+>", code):
            continue
        joined = re.sub(r"\\\n", " ", block)
        pending = ""
        for line in joined.splitlines():
            # a quoted string that goes on over the next line (a JSON body) continues the command
            pending = f"{pending}\n{line}" if pending else line
            if pending.split(" # ", 1)[0].count("'") % 2:
                continue
            stripped, pending = pending.strip(), ""
            if stripped and not stripped.startswith("#") and not stripped.startswith(SKIP):
                out.append(stripped)
    return out


def allowed(command: str) -> set[int]:
    comment = command.split(" # ", 1)[1] if " # " in command else ""
    return {int(c) for c in re.findall(r"\b([45]\d\d)\b", comment)}


def run_file(path: pathlib.Path, env: dict, cwd: pathlib.Path) -> list[str]:
    cmds = commands(path.read_text())
    # the block pages' commands use $H as the quick start sets it
    script = ["set -u", CURL, 'export MEMSIDECAR_TOKEN=$(cat ~/.memsidecar/token)',
              'H="x-memsidecar-capability: Bearer $MEMSIDECAR_TOKEN"']
    for i, c in enumerate(cmds):
        script.append(f"echo '@@cmd {i}'")
        script.append(f"{c} || {{ echo '@@failed {i}'; exit 1; }}")
    result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=600)
    problems = []
    current = None
    for line in result.stdout.splitlines():
        if line.startswith("@@cmd "):
            current = int(line.split()[1])
        elif line.startswith("@@http ") and current is not None:
            parts = line.split()
            code = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            if code == 0 or (code >= 400 and code not in allowed(cmds[current])):
                problems.append(f"{path}: HTTP {code} from: {cmds[current]}")
        elif line.startswith("@@failed "):
            problems.append(f"{path}: exit status from: {cmds[int(line.split()[1])]}\n{result.stderr[-2000:]}")
    if result.returncode != 0 and not problems:
        problems.append(f"{path}: bash ended with {result.returncode}\n{result.stderr[-2000:]}")
    print(f"docs: {path}: {len(cmds)} commands run")
    return problems


def serve(env: dict, work: pathlib.Path) -> subprocess.Popen:
    """The packaged server on its embedded default, as `./dev run` starts it, ready."""
    dist = ROOT / "server" / "target" / "memsidecar"
    log = open(work / "server.log", "w")
    server = subprocess.Popen([str(dist / "bin" / "memsidecar")], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.time() + 120
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:7777/readyz", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            pass
        if time.time() > deadline or server.poll() is not None:
            print((work / "server.log").read_text(), file=sys.stderr)
            raise SystemExit("docs: the server did not start")
        time.sleep(0.2)


def main(files: list[str]) -> int:
    problems = []
    for f in files:
        # each page against a fresh server and home, as a reader following that page would have
        home = pathlib.Path(tempfile.mkdtemp(prefix="memsidecar-docs-home-"))
        work = pathlib.Path(tempfile.mkdtemp(prefix="memsidecar-docs-"))
        (work / "server").symlink_to(ROOT / "server")
        (work / "report.pdf").write_bytes(b"%PDF-1.4 a report" * 100)
        env = dict(os.environ, HOME=str(home), JAVA_OPTS=f"-Duser.home={home}")
        env.pop("MEMSIDECAR_DATA_DIR", None)
        env.pop("MEMSIDECAR_TOKEN", None)
        server = serve(env, work)
        try:
            problems += run_file(ROOT / f, env, work)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
            shutil.rmtree(home, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
    for p in problems:
        print("docs: FAILED " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
