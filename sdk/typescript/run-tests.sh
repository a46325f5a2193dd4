#!/usr/bin/env bash
# The TypeScript SDK's suites against the packaged server (server/target/memsidecar; ./dev test builds it
# first): `npm ci` from the committed lockfile, the build (code generated from proto/, tsc strict on the
# package, its tests and examples/agent-tour.ts), node:test suites, and LangGraph.js's checkpoint
# validation suite (vitest) on the memory and PostgreSQL drivers. PostgreSQL suites run when
# MEMSIDECAR_TEST_PG_URL is set, and CI=true requires it. The cross-language test runs the Python SDK
# from sdk/python's newest venv ($MEMSIDECAR_PYTHON; sdk/python/run-tests.sh makes it).
set -euo pipefail
cd "$(dirname "$0")"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
npm ci --no-progress --loglevel=error
npm run --silent build
node --test --test-concurrency=1 dist/test/*.test.js
npx vitest run --globals dist/test/checkpointer.spec.js
if [ -n "${MEMSIDECAR_TEST_PG_URL:-}" ]; then
  MEMSIDECAR_VALIDATE_BACKEND=pg npx vitest run --globals dist/test/checkpointer.spec.js
elif [ "${CI:-}" = true ]; then
  echo "[typescript] CI=true needs MEMSIDECAR_TEST_PG_URL" >&2; exit 1
fi
