# Sourced by docs/run-tests.sh and ./dev docs: the site's Python environment in target/docs-venv, made
# from docs/requirements.txt (and made again when that file changes). Sets $docs_venv.
docs_venv=target/docs-venv
if [ ! -x "$docs_venv/bin/mkdocs" ] || ! cmp -s docs/requirements.txt "$docs_venv/requirements.txt"; then
  rm -rf "$docs_venv"
  python3 -m venv "$docs_venv"
  "$docs_venv/bin/pip" install -q --disable-pip-version-check -r docs/requirements.txt
  cp docs/requirements.txt "$docs_venv/requirements.txt"
fi
