// examples/agent-tour.ts (built to dist/examples), run as a user would against the embedded default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { DIST } from "./sidecar.js";

test("the agent tour runs against the embedded default", async () => {
  const data = mkdtempSync(join(tmpdir(), "ms-tour-"));
  const server = spawn(join(DIST, "bin/memsidecar"), [], { stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, MEMSIDECAR_DATA_DIR: data, MEMSIDECAR_SERVER__GRPC__TCP: "127.0.0.1:0", MEMSIDECAR_METRICS__PROMETHEUS__ADDR: "127.0.0.1:0" } });
  try {
    let port = 0;
    for await (const line of createInterface({ input: server.stdout! })) {
      const found = /http:\/\/127\.0\.0\.1:(\d+)\/v1\/kv\/scratchpad\/greeting/.exec(line);
      if (found) { port = Number(found[1]); break; }
    }
    assert.ok(port > 0, "the embedded default printed its address");
    server.stdout!.resume();
    const tour = fileURLToPath(new URL("../examples/agent-tour.js", import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, MEMSIDECAR_ADDR: `127.0.0.1:${port}`, MEMSIDECAR_DATA_DIR: data };
    delete env.MEMSIDECAR_TOKEN; // the tour finds the token the embedded default wrote
    const out = execFileSync(process.execPath, [tour], { env, encoding: "utf8", timeout: 120_000 });
    for (const line of ["episodic: 2 events", "kv: search:", "semantic: best hit fact-", "artifact: report-", 'graph: paris -CAPITAL_OF-> ["france"]', "lease: finalize-", "next: memctl ns ls"]) {
      assert.ok(out.includes(line), `${line} in:\n${out}`);
    }
  } finally {
    server.kill("SIGTERM");
  }
});
