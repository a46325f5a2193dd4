#!/usr/bin/env bash
# Runs the shell commands the README and the site print (```sh blocks of README.md, docs/quickstart.md and
# docs/blocks/*.md), as printed, against the packaged server on its embedded default: docs/commands.py
# says how. Needs the distribution (./dev test builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 docs/commands.py README.md docs/quickstart.md docs/blocks/*.md
