// One agent turn that touches every memsidecar block, from TypeScript (the twin of agent_tour.py).
//
// Run the sidecar on its embedded default (./dev run), then, in sdk/typescript:
//   npm ci && npm run build && node dist/examples/agent-tour.js
// Target: $MEMSIDECAR_ADDR (default 127.0.0.1:7777). Token: $MEMSIDECAR_TOKEN, else the one the embedded
// default wrote to ~/.memsidecar/token (or $MEMSIDECAR_DATA_DIR/token).
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { MemSidecar } from "@memsidecar/client";

const token = process.env.MEMSIDECAR_TOKEN
  ?? readFileSync(join(process.env.MEMSIDECAR_DATA_DIR ?? join(homedir(), ".memsidecar"), "token"), "utf8").trim();
const m = new MemSidecar(process.env.MEMSIDECAR_ADDR ?? "127.0.0.1:7777", { token });
const session = randomUUID().slice(0, 8);

// 1. episodic: what was said and done this turn
const first = await m.episodic.append("events", { type: "message", payload: "What is the capital of France?", role: "user", sessionId: session });
await m.episodic.append("events", { type: "tool_call", payload: '{"tool":"search","q":"capital of France"}', role: "assistant", sessionId: session });
const turn: string[] = [];
for await (const e of m.episodic.range("events", { afterCursor: first.cursor - 1n, sessionId: session })) turn.push(e.type);
console.log(`episodic: ${turn.length} events in session ${session}: ${turn.join(", ")}`);

// 2. kv: a tool result cached for five minutes
await m.kv.put("scratchpad", `search:${session}`, "Paris", { ttlSeconds: 300, contentType: "text/plain" });
console.log(`kv: search:${session} = ${new TextDecoder().decode((await m.kv.get("scratchpad", `search:${session}`)).value)}`);

// 3. semantic: a fact, embedded by the sidecar, found again by meaning
await m.semantic.upsert("notes", [{ id: `fact-${session}`, content: "Paris is the capital of France", metadata: { topic: "geography", session } }]);
const hits = await m.semantic.search("notes", { queryText: "French capital city", filter: { session }, topK: 3 });
console.log(`semantic: best hit ${hits[0]?.record?.id} (${hits[0]?.score.toFixed(2)})`);

// 4. artifact: a report, streamed in and out, checked by size and SHA-256
const report = new TextEncoder().encode(`# Report ${session}\n\nThe capital of France is Paris.\n`);
const ref = await m.artifact.put("blobs", report, { id: `report-${session}`, contentType: "text/markdown" });
const back = await m.artifact.get("blobs", `report-${session}`);
if (ref.sha256 !== createHash("sha256").update(report).digest("hex") || Buffer.compare(Buffer.from(back), Buffer.from(report)) !== 0) throw new Error("artifact mismatch");
console.log(`artifact: report-${session} ${ref.size} bytes, sha256 ${ref.sha256.slice(0, 12)}…`);

// 5. graph: Paris -[CAPITAL_OF]-> France
await m.graph.upsertNodes("knowledge", [{ id: "paris", labels: ["City"] }, { id: "france", labels: ["Country"] }]);
await m.graph.upsertEdges("knowledge", [{ id: "paris-capital-of-france", type: "CAPITAL_OF", from: "paris", to: "france" }]);
const near = await m.graph.neighbors("knowledge", "paris", { edgeTypes: ["CAPITAL_OF"], direction: "out" });
console.log(`graph: paris -CAPITAL_OF-> ${JSON.stringify(near.nodes.map((n) => n.id))}`);

// 6. lease: finalize the turn under a lock with a fencing token
const lease = await m.lease.acquire("locks", `finalize-${session}`, { ttlSeconds: 30 });
if ((await m.lease.inspect("locks", `finalize-${session}`))?.holderId !== lease.holderId) throw new Error("lease not held");
await m.lease.release(lease.holderId, "locks", `finalize-${session}`);
console.log(`lease: finalize-${session} fencing token ${lease.fencingToken}, released`);
console.log("next: memctl ns ls; memctl episodic tail events");
