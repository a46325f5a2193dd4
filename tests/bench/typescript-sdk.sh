#!/usr/bin/env bash
# The TypeScript SDK against a bare Connect client and bare @grpc/grpc-js calls (docs/benchmarks.md,
# "TypeScript SDK"): builds the distribution and the SDK, then runs sdk/typescript/bench/sdk-vs-stubs.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
./dev mvn -B -q -DskipTests package
cd sdk/typescript
npm ci --no-progress --loglevel=error
npm run --silent build
exec node dist/bench/sdk-vs-stubs.js
