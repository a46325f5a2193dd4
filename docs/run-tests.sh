#!/usr/bin/env bash
# The documentation site: built from docs/ with MkDocs in strict mode (a broken link or anchor fails the
# build; the RPC reference is generated from proto/), then opened in Debian's headless Chromium
# (docs/site-test: navigation, search, the RPC reference), and docs/commands.sh runs the commands the
# README and the site print, as printed. Run by ./dev test; ./dev docs serves the site while you edit.
set -euo pipefail
cd "$(dirname "$0")/.."
. docs/venv.sh
NO_MKDOCS_2_WARNING=1 "$docs_venv/bin/mkdocs" build --strict --quiet
echo "docs: site built in target/site"

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
  else
    echo "docs: Debian's chromium is needed (apt-get install chromium)" >&2; exit 1
  fi
fi
(cd docs/site-test && npm ci --no-audit --no-fund --loglevel=error)
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory target/site >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
(cd docs/site-test && SITE_URL="http://127.0.0.1:$port/" node --test site.test.mjs)
exec docs/commands.sh
